{#- A view: the depth models hold the rows; this unions them without
    writing the memberships again. -#}
{{ config(materialized='view') }}
{#- Final membership of every group on each evaluation date of the run
    (int_evaluation_dates), one row per customer, group and date: the
    union of the models that evaluate one nesting depth each
    (int_customer_groups_evaluated_at_depth_<depth>, macro
    evaluate_customer_groups_at_depth), each group at its own depth, up to
    var max_group_nesting_depth. -#}
{%- set depths = customer_group_evaluation_depths() %}

with

{% for depth in depths %}
    depth_{{ depth }} as (

        select
            customer_id,
            evaluation_date,
            group_key,
            matched_rule_set,
            membership_source
        from {{ ref('int_customer_groups_evaluated_at_depth_' ~ depth) }}

    ),

{% endfor %}
final as (

    {% for depth in depths %}
        select * from depth_{{ depth }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from final
