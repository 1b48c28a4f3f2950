with

source as (

    select * from {{ revcent_source('subscription_renewal') }}

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
        {{ try_cast_value('source.amount_total', 'money') }} as amount_total,
        currency_rates.rate_to_reporting,
        {{ to_reporting_currency(try_cast_value('source.amount_total', 'money'), 'currency_rates.rate_to_reporting') }}
            as amount_total_reporting,

        ----------  timestamps
        {{ staged_timestamp('source.created_date_unix') }} as created_at,
        {{ staged_date('source.created_date_unix') }} as created_date,

        ----------  values staging could not read
        {{ invalid_value_columns({'amount_total': 'money', 'created_date_unix': 'bigint'}, 'source.') }}
            as invalid_value_columns,
        {{ implausible_timestamp_columns(['created_date_unix'], 'source.') }} as implausible_timestamp_columns

    from source
    left join currency_rates
        on {{ normalize_currency('source.iso_currency') }} = currency_rates.iso_currency

)

select * from renamed
