with

source as (

    select * from {{ source('revcent', 'sale') }}

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
        {{ cast_money('source.amount_gross') }} as amount_gross,
        {{ cast_money('source.amount_net') }} as amount_net,
        currency_rates.rate_to_reporting,
        {{ to_reporting_currency('source.amount_gross', 'currency_rates.rate_to_reporting') }}
            as amount_gross_reporting,
        {{ to_reporting_currency('source.amount_net', 'currency_rates.rate_to_reporting') }} as amount_net_reporting,

        ----------  booleans
        coalesce(cast(source.is_upsell as boolean), false) as is_upsell,

        ----------  timestamps
        {{ epoch_seconds_to_timestamp('source.created_date_unix') }} as created_at,
        {{ to_utc_date(epoch_seconds_to_timestamp('source.created_date_unix')) }} as created_date,
        {{ epoch_seconds_to_timestamp('source.updated_date_unix') }} as updated_at

    from source
    left join currency_rates
        on {{ normalize_currency('source.iso_currency') }} = currency_rates.iso_currency

)

select * from renamed
