with

source as (

    select * from {{ revcent_source('customer_metadata') }}

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
        {{ redacted_text('name') }} as metadata_name,
        {{ redacted_text('value') }} as metadata_value,

        ----------  timestamps
        {{ staged_timestamp('created_date_unix') }} as created_at,
        {{ staged_date('created_date_unix') }} as created_date,

        ----------  values staging could not read
        {{ invalid_value_columns({'created_date_unix': 'bigint'}) }} as invalid_value_columns,
        {{ implausible_timestamp_columns(['created_date_unix']) }} as implausible_timestamp_columns

    from source

)

select * from renamed
