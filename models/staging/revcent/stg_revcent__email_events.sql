with

source as (

    select * from {{ revcent_source('email_event') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as email_event_id,
        {{ normalize_id('customer_id') }} as customer_id,

        ----------  strings
        {{ normalize_enum('event_type') }} as event_type,

        ----------  timestamps
        {{ staged_timestamp('created_date_unix') }} as created_at,
        {{ staged_date('created_date_unix') }} as created_date,

        ----------  values staging could not read
        {{ invalid_value_columns({'created_date_unix': 'bigint'}) }} as invalid_value_columns,
        {{ implausible_timestamp_columns(['created_date_unix']) }} as implausible_timestamp_columns

    from source

)

select * from renamed
