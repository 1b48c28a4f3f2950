with

source as (

    select * from {{ source('revcent', 'fraud_detection') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as fraud_detection_id,
        {{ normalize_id('customer_id') }} as customer_id,

        ----------  strings
        {{ normalize_enum('method') }} as detection_method,

        ----------  timestamps
        {{ epoch_seconds_to_timestamp('fraud_detection_date_unix') }} as created_at,
        {{ to_utc_date(epoch_seconds_to_timestamp('fraud_detection_date_unix')) }} as created_date

    from source

)

select * from renamed
