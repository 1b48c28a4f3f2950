with

source as (

    select * from {{ revcent_source('chargeback') }}

),

currency_rates as (

    select * from {{ ref('currency_rates') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('source.id') }} as chargeback_id,
        {{ normalize_id('source.customer_id') }} as customer_id,
        {{ normalize_id('source.sale_id') }} as sale_id,

        ----------  strings
        {{ redacted_text('source.reason_code') }} as reason_code,
        {{ normalize_currency('source.iso_currency') }} as iso_currency,

        ----------  numerics
        {{ try_cast_value('source.amount', 'money') }} as amount,
        currency_rates.rate_to_reporting,
        {{ to_reporting_currency(try_cast_value('source.amount', 'money'), 'currency_rates.rate_to_reporting') }}
            as amount_reporting,

        ----------  timestamps
        {{ staged_timestamp('source.chargeback_date_unix') }} as created_at,
        {{ staged_date('source.chargeback_date_unix') }} as created_date,

        ----------  values staging could not read
        {{ invalid_value_columns({'amount': 'money', 'chargeback_date_unix': 'bigint'}, 'source.') }}
            as invalid_value_columns,
        {{ implausible_timestamp_columns(['chargeback_date_unix'], 'source.') }} as implausible_timestamp_columns

    from source
    left join currency_rates
        on {{ normalize_currency('source.iso_currency') }} = currency_rates.iso_currency

)

select * from renamed
