with

source as (

    select * from {{ source('revcent', 'customer_metadata') }}

),

renamed as (

    select
        ----------  ids
        -- The table has no id: a row is identified by all of its raw values.
        {{ redact_card_numbers(dbt.concat([
            "coalesce(cast(customer_id as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(name as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(value as " ~ dbt.type_string() ~ "), '')", "'|'",
            "coalesce(cast(created_date_unix as " ~ dbt.type_string() ~ "), '')",
        ])) }} as metadata_row_key,
        {{ normalize_id('customer_id') }} as customer_id,

        ----------  strings
        cast(name as {{ dbt.type_string() }}) as metadata_name,
        {{ redact_card_numbers('value') }} as metadata_value,

        ----------  timestamps
        {{ epoch_seconds_to_timestamp('created_date_unix') }} as created_at,
        {{ to_utc_date(epoch_seconds_to_timestamp('created_date_unix')) }} as created_date

    from source

)

select * from renamed
