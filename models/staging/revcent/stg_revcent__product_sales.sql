with

source as (

    select * from {{ revcent_source('product_sale') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as product_sale_id,
        {{ normalize_id('sale_id') }} as sale_id,
        {{ normalize_id('product_id') }} as product_id,

        ----------  numerics
        {{ try_cast_value('quantity', 'integer') }} as quantity,
        {{ try_cast_value('amount', 'money') }} as amount,

        ----------  values staging could not read
        {{ invalid_value_columns({'quantity': 'integer', 'amount': 'money'}) }} as invalid_value_columns,
        {{ implausible_timestamp_columns([]) }} as implausible_timestamp_columns

    from source

)

select * from renamed
