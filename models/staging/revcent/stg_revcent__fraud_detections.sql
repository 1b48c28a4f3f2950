with

source as (

    select * from {{ revcent_source('fraud_detection') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as fraud_detection_id,
        {{ normalize_id('customer_id') }} as customer_id,

        ----------  strings
        {{ normalize_enum('method') }} as detection_method,

        ----------  timestamps
        {{ staged_timestamp('fraud_detection_date_unix') }} as created_at,
        {{ staged_date('fraud_detection_date_unix') }} as created_date,

        ----------  values staging could not read
        {{ invalid_value_columns({'fraud_detection_date_unix': 'bigint'}) }} as invalid_value_columns,
        {{ implausible_timestamp_columns(['fraud_detection_date_unix']) }} as implausible_timestamp_columns

    from source

)

select * from renamed
