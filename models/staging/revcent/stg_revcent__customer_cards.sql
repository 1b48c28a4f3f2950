with

source as (

    select * from {{ revcent_source('customer_card') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as customer_card_id,
        {{ normalize_id('customer_id') }} as customer_id,

        ----------  strings
        {{ normalize_enum('card_type') }} as card_type,
        -- Only the card reference survives, however much the raw column holds.
        substr(cast(bin as {{ dbt.type_string() }}), 1, 6) as card_bin,
        {{ dbt.right("cast(last_4 as " ~ dbt.type_string() ~ ")", 4) }} as card_last_4,

        ----------  numerics
        {{ try_cast_value('exp_month', 'integer') }} as exp_month,
        {{ try_cast_value('exp_year', 'integer') }} as exp_year,

        ----------  booleans
        coalesce({{ try_cast_value('is_default', 'boolean') }}, false) as is_default,
        coalesce({{ try_cast_value('enabled', 'boolean') }}, false) as is_enabled,

        ----------  timestamps
        {{ staged_timestamp('created_date_unix') }} as created_at,
        {{ staged_date('created_date_unix') }} as created_date,

        ----------  values staging could not read
        {{ invalid_value_columns({
            'exp_month': 'integer', 'exp_year': 'integer', 'is_default': 'boolean', 'enabled': 'boolean',
            'created_date_unix': 'bigint',
        }) }} as invalid_value_columns,
        {{ implausible_timestamp_columns(['created_date_unix']) }} as implausible_timestamp_columns

    from source

)

select * from renamed
