{#- The dates this run evaluates metrics and groups on, one row each: every
    date from its first date to its as_of_date (one date, except in a
    backfill that replays a range in one run: var backfill_start_date), and the created_on of every enabled fixed segment or audience
    whose list this run freezes (created_on reached, no earlier run froze
    it; see previous_run_state.sql), since a fixed list is decided from the
    values on created_on whenever it is first computed (SPEC §3), and the
    dates of var extra_evaluation_dates (a list of YYYY-MM-DD on or before
    as_of_date: metrics and memberships on past dates for analysis). Var
    evaluate_fixed_list_dates adds the created_on of lists frozen earlier too
    (scripts/explain.py: the values that decided them). Only
    these dates are computed: a daily run after every list is frozen
    evaluates one date. -#}
with

fixed_groups as (

    select
        group_key,
        created_on
    from {{ ref('int_customer_group_definitions_checked') }}
    where
        is_enabled
        and recalculation = 'fixed'
        and created_on is not null
        and created_on <= {{ as_of_date() }}

),

previous_freezes as (

    {{ previous_freezes_sql() }}

),

dates as (

    select spine_date as evaluation_date
    from ({{ day_spine(run_start_date(), as_of_date()) }}) as run_days

    union all

    select fixed_groups.created_on as evaluation_date
    from fixed_groups
    left join previous_freezes
        on fixed_groups.group_key = previous_freezes.group_key
    where
        previous_freezes.group_key is null
        or {{ 'true' if var('evaluate_fixed_list_dates', false) else 'false' }}

    {% for extra in extra_evaluation_dates() %}
        union all
        select cast('{{ extra }}' as date) as evaluation_date
    {% endfor %}

),

final as (

    select distinct
        cast(evaluation_date as date) as evaluation_date,
        cast(evaluation_date = {{ as_of_date() }} as boolean) as is_as_of_date,
        cast(evaluation_date >= {{ run_start_date() }} as boolean) as is_run_date
    from dates

)

select * from final
