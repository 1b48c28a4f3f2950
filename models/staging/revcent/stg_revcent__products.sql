with

source as (

    select * from {{ revcent_source('product') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as product_id,
        {{ normalize_id('product_group_id') }} as product_group_id,

        ----------  strings
        {{ redacted_text('name') }} as product_name,
        {{ redacted_text('sku') }} as sku,

        ----------  values staging could not read
        {{ invalid_value_columns({}) }} as invalid_value_columns,
        {{ implausible_timestamp_columns([]) }} as implausible_timestamp_columns

    from source

)

select * from renamed
