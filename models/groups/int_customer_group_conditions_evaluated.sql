{#- For every enabled rule group, the customers who pass each of its
    non-relation conditions: range rows joined on the metric and its bounds,
    list rows on the customer's values (rows of one list qualifier are
    alternatives), and the has_no_sales flag. Relation conditions depend on
    other groups' final membership and are evaluated level by level in
    int_customer_groups_evaluated. -#}
with

definitions as (

    select * from {{ ref('customer_group_definitions') }}
    where is_enabled and qualifier_method != 'none'

),

qualifiers as (

    select qualifiers.*
    from {{ ref('int_customer_group_qualifiers_parsed') }} as qualifiers
    inner join definitions
        on qualifiers.group_key = definitions.group_key

),

metrics as (

    select * from {{ ref('int_customer_metrics_unpivoted') }}

),

attributes as (

    select * from {{ ref('int_customer_attributes_unioned') }}

),

customer_metrics as (

    select * from {{ ref('customer_metrics') }}

),

range_passes as (

    select
        metrics.customer_id,
        qualifiers.group_key,
        qualifiers.rule_set,
        qualifiers.condition_key
    from qualifiers
    inner join metrics
        on
            qualifiers.metric_column = metrics.metric_column
            and (qualifiers.min_value is null or metrics.metric_value >= qualifiers.min_value)
            and (qualifiers.max_value is null or metrics.metric_value <= qualifiers.max_value)
    where qualifiers.qualifier_kind = 'range'

),

list_passes as (

    select distinct
        attributes.customer_id,
        qualifiers.group_key,
        qualifiers.rule_set,
        qualifiers.condition_key
    from qualifiers
    inner join attributes
        on
            qualifiers.qualifier = attributes.attribute
            and (
                qualifiers.qualifier != 'metadata'
                or qualifiers.qualifier_name = attributes.attribute_name
            )
            -- An empty metadata value means "has the name at all".
            and (
                qualifiers.qualifier_value = attributes.attribute_value
                or (qualifiers.qualifier = 'metadata' and qualifiers.qualifier_value is null)
            )
    where qualifiers.qualifier_kind = 'list'

),

flag_passes as (

    select distinct
        customer_metrics.customer_id,
        qualifiers.group_key,
        qualifiers.rule_set,
        qualifiers.condition_key
    from qualifiers
    inner join customer_metrics
        on {{ text_to_boolean('qualifiers.qualifier_value', 'true') }} = not customer_metrics.has_sales
    where qualifiers.qualifier = 'has_no_sales'

),

final as (

    select * from range_passes
    union all
    select * from list_passes
    union all
    select * from flag_passes

)

select * from final
