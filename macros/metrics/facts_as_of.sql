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
    facts as of the run's date: chargebacks, disputes, refunds, detections. -#}
{% macro aggregate_facts_to_customers(validated_model, count_as, sum_as=none, amount_column='amount_reporting') %}
with

facts as (

    {{ clean_rows_as_of(validated_model) }}

),

aggregated as (

    select
        customer_id,
        count(*) as {{ count_as }}
        {%- if sum_as %},
        {{ sum_reporting_amount(amount_column) }} as {{ sum_as }}
        {%- endif %}
    from facts
    group by customer_id

)

select * from aggregated
{% endmacro %}
