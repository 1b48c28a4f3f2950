{#- A view: it only reshapes the metrics table, and is read once per build. -#}
{{ config(materialized='view') }}
{#- int_customer_metrics_by_date in long form, one row per customer,
    evaluation date and range metric that has a value, so that range qualifiers are evaluated by one join on
    the metric and its bounds instead of a block per qualifier. A NULL metric
    has no row (it fails every bound), and subscription metrics have rows only
    for customers who have had a subscription. Each branch reads the table
    itself: a CTE read by every branch is one DuckDB materializes, the whole
    metrics table in memory, which ran out of 4GB at 10M customers. -#}
with

unpivoted as (

    {% for qualifier, spec in qualifier_catalogue().items() if spec.kind == 'range' %}
        select
            metrics.customer_id,
            metrics.evaluation_date,
            metrics.customer_evaluation_number,
            cast('{{ spec.metric }}' as {{ dbt.type_string() }}) as metric_column,
            {{ range_metric_value(spec) }} as metric_value
        from {{ ref('int_customer_metrics_by_date') }} as metrics
        where {{ range_metric_value(spec) }} is not null
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from unpivoted
