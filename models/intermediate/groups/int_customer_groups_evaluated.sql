{#- A view: only the as_of_date rows of int_customer_groups_evaluated_by_date. -#}
{{ config(materialized='view') }}
{#- Final membership of every group on the run's as_of_date, one row per
    customer and group: what memberships, history and the churn guard read.
    Evaluated, with the other dates of the run, in
    int_customer_groups_evaluated_by_date. -#}
with

evaluated_by_date as (

    select * from {{ ref('int_customer_groups_evaluated_by_date') }}
    where evaluation_date = {{ as_of_date() }}

),

final as (

    select
        customer_id,
        group_key,
        matched_rule_set,
        membership_source
    from evaluated_by_date

)

select * from final
