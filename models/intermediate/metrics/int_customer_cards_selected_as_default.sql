{#- Which enabled default card is the customer's on each day: with several,
    the latest created (ties: the larger id). One row per such card created
    by as_of_date, selected from its creation date until the next one's
    (selected_until, exclusive; NULL for the card selected on as_of_date), so
    the card of any date D is the row with selected_from <= D < selected_until. -#}
with

cards as (

    {{ clean_rows_as_of('int_customer_cards_validated') }}

),

ordered as (

    select
        *,
        lead(created_date) over (
            partition by customer_id
            order by created_at, customer_card_id
        ) as next_created_date
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
        created_date as selected_from,
        next_created_date as selected_until
    from ordered
    -- A card superseded on the day it was created is never selected.
    where next_created_date is null or next_created_date > created_date

)

select * from final
