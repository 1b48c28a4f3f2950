with

source as (

    select * from {{ source('revcent', 'email_event') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as email_event_id,
        {{ normalize_id('customer_id') }} as customer_id,

        ----------  strings
        {{ normalize_enum('event_type') }} as event_type,

        ----------  timestamps
        {{ epoch_seconds_to_timestamp('created_date_unix') }} as created_at,
        {{ to_utc_date(epoch_seconds_to_timestamp('created_date_unix')) }} as created_date

    from source

)

select * from renamed
