{#- The clean rows of a validated model that count on the run's as_of_date:
    created on or before that UTC day. -#}
{% macro clean_rows_as_of(validated_model) -%}
    select *
    from {{ ref(validated_model) }}
    where
        row_status = 'clean'
        and created_date <= {{ as_of_date() }}
{%- endmacro %}

{#- Count (and optionally sum, in the reporting currency) of a customer's
    facts per UTC day they were created, up to the run's date: chargebacks,
    disputes, refunds, detections. int_customer_metrics_by_date adds the days
    up to each date it evaluates. -#}
{% macro aggregate_facts_to_customer_days(validated_model, count_as, sum_as=none, amount_column='amount_reporting') %}
with

facts as (

    {{ clean_rows_as_of(validated_model) }}

),

aggregated as (

    select
        customer_id,
        created_date,
        count(*) as {{ count_as }}
        {%- if sum_as %},
        {{ sum_reporting_amount(amount_column) }} as {{ sum_as }}
        {%- endif %}
    from facts
    group by customer_id, created_date

)

select * from aggregated
{% endmacro %}

{#- The rows of a per-customer-day model added up per evaluation date: each
    day's row counts for the first evaluation date on or after it (the
    deltas between consecutive evaluation dates), so that a running sum over
    the evaluation dates gives each date's total. Reads the CTE
    evaluation_dates (evaluation_date, previous_evaluation_date) of the
    calling model. sums are added, maxima kept. -#}
{% macro deltas_by_evaluation_date(customer_days_model, sums=[], maxima=[]) %}
    select
        days.customer_id,
        evaluation_dates.evaluation_date
        {%- for column in sums %},
        sum(days.{{ column }}) as {{ column }}
        {%- endfor %}
        {%- for column in maxima %},
        max(days.{{ column }}) as {{ column }}
        {%- endfor %}
    from {{ ref(customer_days_model) }} as days
    inner join evaluation_dates
        on
            days.created_date <= evaluation_dates.evaluation_date
            and (
                evaluation_dates.previous_evaluation_date is null
                or days.created_date > evaluation_dates.previous_evaluation_date
            )
    group by days.customer_id, evaluation_dates.evaluation_date
{% endmacro %}
