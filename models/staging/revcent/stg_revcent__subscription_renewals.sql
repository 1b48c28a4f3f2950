with

source as (

    select * from {{ source('revcent', 'subscription_renewal') }}

),

currency_rates as (

    select * from {{ ref('currency_rates') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('source.id') }} as subscription_renewal_id,
        {{ normalize_id('source.subscription_id') }} as subscription_id,
        {{ normalize_id('source.customer_id') }} as customer_id,

        ----------  strings
        {{ normalize_enum('source.status') }} as renewal_status,
        {{ normalize_currency('source.iso_currency') }} as iso_currency,

        ----------  numerics
        {{ cast_money('source.amount_total') }} as amount_total,
        currency_rates.rate_to_reporting,
        {{ to_reporting_currency('source.amount_total', 'currency_rates.rate_to_reporting') }}
            as amount_total_reporting,

        ----------  timestamps
        {{ epoch_seconds_to_timestamp('source.created_date_unix') }} as created_at,
        {{ to_utc_date(epoch_seconds_to_timestamp('source.created_date_unix')) }} as created_date

    from source
    left join currency_rates
        on {{ normalize_currency('source.iso_currency') }} = currency_rates.iso_currency

)

select * from renamed
