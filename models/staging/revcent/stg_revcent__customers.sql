with

source as (

    select * from {{ revcent_source('customer') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as customer_id,

        ----------  strings
        {{ redacted_text('first_name') }} as first_name,
        {{ redacted_text('last_name') }} as last_name,
        {{ redacted_text('email') }} as email,
        {{ redacted_text('phone') }} as phone,
        {{ redacted_text('address_line_1') }} as address_line_1,
        {{ redacted_text('city') }} as city,
        {{ redacted_text('state') }} as state,
        {{ redacted_text('zip') }} as zip,
        {{ redacted_text('country') }} as country,
        {{ redacted_text('company') }} as company,

        ----------  booleans
        {{ try_cast_value('enabled', 'boolean') }} as is_enabled,
        {{ try_cast_value('marketing_consent', 'boolean') }} as has_marketing_consent,

        ----------  timestamps
        {{ staged_timestamp('created_date_unix') }} as created_at,
        {{ staged_date('created_date_unix') }} as created_date,
        {{ staged_timestamp('updated_date_unix') }} as updated_at,

        ----------  values staging could not read
        {{ invalid_value_columns({
            'enabled': 'boolean', 'marketing_consent': 'boolean',
            'created_date_unix': 'bigint', 'updated_date_unix': 'bigint',
        }) }} as invalid_value_columns,
        {{ implausible_timestamp_columns(['created_date_unix', 'updated_date_unix']) }}
            as implausible_timestamp_columns

    from source

)

select * from renamed
