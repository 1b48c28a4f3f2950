with

source as (

    select * from {{ revcent_source('subscription') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as subscription_id,
        {{ normalize_id('customer_id') }} as customer_id,
        {{ normalize_id('product_id') }} as product_id,

        ----------  strings
        {{ normalize_enum('status') }} as subscription_status,

        ----------  timestamps
        {{ staged_timestamp('created_date_unix') }} as created_at,
        {{ staged_date('created_date_unix') }} as created_date,
        {{ staged_timestamp('updated_date_unix') }} as updated_at,

        ----------  values staging could not read
        {{ invalid_value_columns({'created_date_unix': 'bigint', 'updated_date_unix': 'bigint'}) }}
            as invalid_value_columns,
        {{ implausible_timestamp_columns(['created_date_unix', 'updated_date_unix']) }}
            as implausible_timestamp_columns

    from source

)

select * from renamed
