with

source as (

    select * from {{ source('revcent', 'customer_card') }}

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
        cast(exp_month as integer) as exp_month,
        cast(exp_year as integer) as exp_year,

        ----------  booleans
        coalesce(cast(is_default as boolean), false) as is_default,
        coalesce(cast(enabled as boolean), false) as is_enabled,

        ----------  timestamps
        {{ epoch_seconds_to_timestamp('created_date_unix') }} as created_at,
        {{ to_utc_date(epoch_seconds_to_timestamp('created_date_unix')) }} as created_date

    from source

)

select * from renamed
