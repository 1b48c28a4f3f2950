{#- The customer's enabled default card as of as_of_date; with several, the
    latest created (ties: the larger id). -#}
with

cards as (

    {{ clean_rows_as_of('int_customer_cards_validated') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by customer_id
            order by created_at desc, customer_card_id desc
        ) as card_rank
    from cards
    where is_default and is_enabled

),

final as (

    select
        customer_id,
        customer_card_id as default_card_id,
        card_type as default_card_type,
        card_last_4 as default_card_last_4,
        exp_month as default_card_exp_month,
        case when exp_year < 100 then exp_year + 2000 else exp_year end as default_card_exp_year,
        {{ card_expiry_date('exp_month', 'exp_year') }} as default_card_expires_on,
        {{ days_between(as_of_date(), card_expiry_date('exp_month', 'exp_year')) }}
            as days_until_card_expiry
    from ranked
    where card_rank = 1

)

select * from final
