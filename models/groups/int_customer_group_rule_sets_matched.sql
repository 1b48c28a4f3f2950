{#- For every rule set of an enabled rule group, the customers who pass all
    of its conditions that do not depend on other groups: range rows joined
    on the metric and its bounds, list rows on the customer's values (rows
    of one list qualifier are alternatives), and the has_no_sales flag. A
    rule set with relation conditions still needs those (evaluated level by
    level in int_customer_groups_evaluated); a rule set with none holds for
    exactly these customers. Rule sets made only of relation conditions have
    no rows here. -#}
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
    where qualifiers.qualifier_kind != 'relation'

),

conditions_per_rule_set as (

    select
        group_key,
        rule_set,
        count(distinct condition_key) as conditions
    from qualifiers
    group by group_key, rule_set

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
            and (qualifiers.min_value is null or qualifiers.min_value <= metrics.metric_value)
            and (qualifiers.max_value is null or qualifiers.max_value >= metrics.metric_value)
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

passes as (

    select * from range_passes
    union all
    select * from list_passes
    union all
    select * from flag_passes

),

-- Each condition passes at most once per customer, so counting rows counts
-- distinct conditions.
matched as (

    select
        passes.customer_id,
        passes.group_key,
        passes.rule_set
    from passes
    inner join conditions_per_rule_set
        on
            passes.group_key = conditions_per_rule_set.group_key
            and passes.rule_set = conditions_per_rule_set.rule_set
    group by passes.customer_id, passes.group_key, passes.rule_set, conditions_per_rule_set.conditions
    having count(*) = conditions_per_rule_set.conditions

)

select * from matched
