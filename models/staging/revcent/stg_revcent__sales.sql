with

source as (

    select * from {{ revcent_source('sale') }}

),

currency_rates as (

    select * from {{ ref('currency_rates') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('source.id') }} as sale_id,
        {{ normalize_id('source.customer_id') }} as customer_id,
        {{ normalize_id('source.campaign_id') }} as campaign_id,
        {{ normalize_id('source.third_party_shop_id') }} as third_party_shop_id,

        ----------  strings
        {{ normalize_enum('source.status') }} as sale_status,
        {{ normalize_currency('source.iso_currency') }} as iso_currency,

        ----------  numerics
        {{ try_cast_value('source.amount_gross', 'money') }} as amount_gross,
        {{ try_cast_value('source.amount_net', 'money') }} as amount_net,
        currency_rates.rate_to_reporting,
        {{ to_reporting_currency(try_cast_value('source.amount_gross', 'money'), 'currency_rates.rate_to_reporting') }}
            as amount_gross_reporting,
        {{ to_reporting_currency(try_cast_value('source.amount_net', 'money'), 'currency_rates.rate_to_reporting') }}
            as amount_net_reporting,

        ----------  booleans
        coalesce({{ try_cast_value('source.is_upsell', 'boolean') }}, false) as is_upsell,

        ----------  timestamps
        {{ staged_timestamp('source.created_date_unix') }} as created_at,
        {{ staged_date('source.created_date_unix') }} as created_date,
        {{ staged_timestamp('source.updated_date_unix') }} as updated_at,

        ----------  values staging could not read
        {{ invalid_value_columns({
            'amount_gross': 'money', 'amount_net': 'money', 'is_upsell': 'boolean',
            'created_date_unix': 'bigint', 'updated_date_unix': 'bigint',
        }, 'source.') }} as invalid_value_columns,
        {{ implausible_timestamp_columns(['created_date_unix', 'updated_date_unix'], 'source.') }}
            as implausible_timestamp_columns

    from source
    left join currency_rates
        on {{ normalize_currency('source.iso_currency') }} = currency_rates.iso_currency

)

select * from renamed
