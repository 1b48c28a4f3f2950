with

source as (

    select * from {{ source('revcent', 'customer') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as customer_id,

        ----------  strings
        {{ redact_card_numbers('first_name') }} as first_name,
        {{ redact_card_numbers('last_name') }} as last_name,
        {{ redact_card_numbers('email') }} as email,
        {{ redact_card_numbers('phone') }} as phone,
        {{ redact_card_numbers('address_line_1') }} as address_line_1,
        {{ redact_card_numbers('city') }} as city,
        {{ redact_card_numbers('state') }} as state,
        {{ redact_card_numbers('zip') }} as zip,
        {{ redact_card_numbers('country') }} as country,
        {{ redact_card_numbers('company') }} as company,

        ----------  booleans
        cast(enabled as boolean) as is_enabled,
        cast(marketing_consent as boolean) as has_marketing_consent,

        ----------  timestamps
        {{ epoch_seconds_to_timestamp('created_date_unix') }} as created_at,
        {{ to_utc_date(epoch_seconds_to_timestamp('created_date_unix')) }} as created_date,
        {{ epoch_seconds_to_timestamp('updated_date_unix') }} as updated_at

    from source

)

select * from renamed
