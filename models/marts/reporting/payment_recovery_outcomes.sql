{#- One row per stay of a customer in a payment-recovery group (var
    recovery_group_keys): did a successful payment (sale or subscription
    renewal) come in while the customer was in the group, how much, how
    fast, and did the customer then leave the group. -#}
-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
with

stays as (

    select
        *,
        coalesce(valid_to, {{ as_of_date() }}) as stay_ends_on
    from ({{ membership_stays_as_of() }}) as stays
    where group_key in {{ recovery_group_keys_sql() }}

),

successful_sales as (

    select
        customer_id,
        created_date as paid_on,
        amount_net_reporting as amount
    from ({{ clean_rows_as_of('int_sales_validated') }}) as sales
    where sale_status = 'success'

),

successful_renewals as (

    select
        customer_id,
        created_date as paid_on,
        amount_total_reporting as amount
    from ({{ clean_rows_as_of('int_subscription_renewals_validated') }}) as renewals
    where renewal_status = 'success'

),

payments as (

    select * from successful_sales
    union all
    select * from successful_renewals

),

-- A payment belongs to the stay when it was created from valid_from up to
-- and including valid_to (or as_of_date while the stay is open). valid_to
-- is the day of the run that saw the customer out of the group; a payment
-- that day came in before that run and is the one that can explain the
-- exit, so it counts.
stay_payments as (

    select
        stays.stay_id,
        count(payments.paid_on) as payments,
        sum(payments.amount) as recovered_amount,
        min(payments.paid_on) as first_payment_on
    from stays
    inner join payments
        on
            stays.customer_id = payments.customer_id
            and stays.valid_from <= payments.paid_on
            and stays.stay_ends_on >= payments.paid_on
    group by stays.stay_id

),

final as (

    select
        cast(stays.stay_id as {{ dbt.type_string() }}) as stay_id,
        cast(stays.customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(stays.group_key as {{ dbt.type_string() }}) as group_key,
        cast(stays.valid_from as date) as valid_from,
        cast(stays.valid_to as date) as valid_to,
        cast(stays.valid_to is null as boolean) as is_open,
        cast(stays.exit_reason as {{ dbt.type_string() }}) as exit_reason,
        cast({{ days_between('stays.valid_from', 'stays.stay_ends_on') }} as integer) as stay_days,  -- noqa: LT05
        cast(coalesce(stay_payments.payments, 0) as integer) as payments,
        cast(stay_payments.stay_id is not null as boolean) as is_recovered,
        cast(coalesce(stay_payments.recovered_amount, 0) as decimal(38, 12)) as recovered_amount,
        cast(stay_payments.first_payment_on as date) as first_payment_on,
        cast({{ days_between('stays.valid_from', 'stay_payments.first_payment_on') }} as integer)  -- noqa: LT05
            as days_to_recover,
        cast(stays.valid_to is not null and stay_payments.stay_id is not null as boolean) as left_after_payment,
        {{ as_of_date() }} as as_of_date
    from stays
    left join stay_payments
        on stays.stay_id = stay_payments.stay_id

)

select * from final
