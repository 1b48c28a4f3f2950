{#- For every rule set of an enabled rule group and evaluation date, the
    customers who pass on that date all
    of its conditions that do not depend on other groups, counted from the
    qualifier rows they pass (int_customer_group_qualifier_rows_passed; rows
    of one list qualifier are alternatives, so a condition counts once). A
    rule set with relation conditions still needs those (evaluated level by
    level in int_customer_groups_evaluated); a rule set with none holds for
    exactly these customers. Rule sets made only of relation conditions have
    no rows here. -#}
with

qualifiers as (

    {{ rule_group_qualifier_rows(include_relations=false) }}

),

conditions_per_rule_set as (

    select
        group_key,
        rule_set,
        count(distinct condition_key) as conditions
    from qualifiers
    group by group_key, rule_set

),

passes as (

    select * from {{ ref('int_customer_group_qualifier_rows_passed') }}

),

matched as (

    select
        passes.customer_id,
        passes.evaluation_date,
        passes.group_key,
        passes.rule_set
    from passes
    inner join conditions_per_rule_set
        on
            passes.group_key = conditions_per_rule_set.group_key
            and passes.rule_set = conditions_per_rule_set.rule_set
    group by
        passes.customer_id,
        passes.evaluation_date,
        passes.group_key,
        passes.rule_set,
        conditions_per_rule_set.conditions
    having count(distinct passes.condition_key) = conditions_per_rule_set.conditions

)

select * from matched
