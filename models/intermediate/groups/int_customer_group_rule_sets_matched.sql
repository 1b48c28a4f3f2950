{#- For every rule set of an enabled rule group and evaluation date, the
    customers who pass on that date all of its conditions that do not depend
    on other groups, from the qualifier rows they pass
    (int_customer_group_qualifier_rows_passed; rows of one list qualifier
    are alternatives, so a condition counts once). A rule set with relation
    conditions still needs those (evaluated by the models of
    evaluate_customer_groups_at_depth); a rule set with none holds for
    exactly these customers. Rule sets made only of relation conditions have
    no rows here.

    Set-based over all groups at once, and cheap per pass, because at scale
    the passes are many (customers x qualifier rows): each pass is one row
    keyed by an integer rule set number, a condition with alternatives is
    deduplicated apart, a rule set of one condition holds wherever it passes,
    and only rule sets of several conditions are counted. -#}
with

qualifiers as (

    {{ rule_group_qualifier_rows(include_relations=false) }}

),

rule_sets as (

    select
        group_key,
        rule_set,
        dense_rank() over (order by group_key, rule_set) as rule_set_number,
        count(distinct condition_key) as conditions
    from qualifiers
    group by group_key, rule_set

),

-- Each qualifier row's rule set, and whether its condition has other rows
-- (list alternatives: a customer may pass several).
qualifier_rows as (

    select
        qualifiers.seed_row_id,
        qualifiers.condition_key,
        rule_sets.rule_set_number,
        rule_sets.conditions,
        count(*) over (
            partition by rule_sets.rule_set_number, qualifiers.condition_key
        ) > 1 as has_alternatives
    from qualifiers
    inner join rule_sets
        on
            qualifiers.group_key = rule_sets.group_key
            and qualifiers.rule_set = rule_sets.rule_set

),

passes as (

    select
        passes.customer_id,
        passes.evaluation_date,
        qualifier_rows.rule_set_number,
        qualifier_rows.conditions,
        qualifier_rows.condition_key,
        qualifier_rows.has_alternatives
    from {{ ref('int_customer_group_qualifier_rows_passed') }} as passes
    inner join qualifier_rows
        on passes.seed_row_id = qualifier_rows.seed_row_id

),

-- One row per customer, date and condition passed.
conditions_passed as (

    select
        customer_id,
        evaluation_date,
        rule_set_number,
        conditions
    from passes
    where not has_alternatives

    union all

    select
        customer_id,
        evaluation_date,
        rule_set_number,
        conditions
    from passes
    where has_alternatives
    group by
        customer_id,
        evaluation_date,
        rule_set_number,
        conditions,
        condition_key

),

matched as (

    select
        customer_id,
        evaluation_date,
        rule_set_number
    from conditions_passed
    where conditions = 1

    union all

    select
        customer_id,
        evaluation_date,
        rule_set_number
    from conditions_passed
    where conditions > 1
    group by
        customer_id,
        evaluation_date,
        rule_set_number,
        conditions
    having count(*) = conditions

),

final as (

    select
        matched.customer_id,
        matched.evaluation_date,
        rule_sets.group_key,
        rule_sets.rule_set
    from matched
    inner join rule_sets
        on matched.rule_set_number = rule_sets.rule_set_number

)

select * from final
