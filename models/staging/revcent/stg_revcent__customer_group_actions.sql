with

source as (

    select * from {{ source('revcent', 'customer_group_action') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as customer_group_action_id,
        {{ normalize_id('customer_id') }} as customer_id,
        {{ normalize_id('group_key') }} as group_key,

        ----------  strings
        {{ normalize_enum('action') }} as action,
        {{ redact_card_numbers('actor') }} as actor,

        ----------  timestamps
        {{ epoch_seconds_to_timestamp('created_date_unix') }} as created_at,
        {{ to_utc_date(epoch_seconds_to_timestamp('created_date_unix')) }} as created_date

    from source

)

select * from renamed
