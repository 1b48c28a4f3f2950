{#-
    Final membership of every group on as_of_date, evaluated level by level:
    groups that reference no group first (nesting depth 0), then groups whose
    references are all at lower depths, and so on, so relation qualifiers
    read the referenced groups' final membership at any depth.

    A rule set holds when the customer passes every one of its conditions;
    a rule group's members are the customers for whom any rule set holds.
    Then the group type decides: disabled groups have no members, `none`
    groups follow manual actions, fixed segments and audiences take manual
    edits on top of their rules and audiences leave out customers who may not
    be contacted.
-#}
{%- set max_depth = var('max_group_nesting_depth') | int -%}

with

definitions as (

    select * from {{ ref('customer_group_definitions') }}
    where is_enabled

),

customers as (

    select customer_id from {{ ref('customer_metrics') }}

),

qualifiers as (

    select qualifiers.*
    from {{ ref('int_customer_group_qualifiers_parsed') }} as qualifiers
    inner join definitions
        on qualifiers.group_key = definitions.group_key
    where definitions.qualifier_method != 'none'

),

rule_set_sizes as (

    select
        group_key,
        rule_set,
        count(distinct condition_key) as conditions
    from qualifiers
    group by group_key, rule_set

),

relation_conditions as (

    select
        qualifiers.group_key,
        definitions.nesting_depth,
        qualifiers.rule_set,
        qualifiers.condition_key,
        qualifiers.qualifier,
        qualifiers.referenced_group_key,
        count(distinct qualifiers.referenced_group_key) over (
            partition by qualifiers.group_key, qualifiers.rule_set, qualifiers.condition_key
        ) as listed_groups
    from qualifiers
    inner join definitions
        on qualifiers.group_key = definitions.group_key
    where qualifiers.qualifier_kind = 'relation'

),

condition_passes as (

    select
        passes.*,
        definitions.nesting_depth
    from {{ ref('int_customer_group_conditions_evaluated') }} as passes
    inner join definitions
        on passes.group_key = definitions.group_key

),

manual_decisions as (

    select
        resolved.*,
        definitions.nesting_depth
    from {{ ref('int_customer_group_actions_resolved') }} as resolved
    inner join definitions
        on resolved.group_key = definitions.group_key
    inner join customers
        on resolved.customer_id = customers.customer_id

),

audience_exclusions as (

    select * from {{ ref('int_audience_exclusions_identified') }}

),

previous_freezes as (

    {{ previous_freezes_sql() }}

),

previous_frozen_members as (

    {{ previous_frozen_members_sql() }}

),

{% for level in range(max_depth + 1) %}
{% if level > 0 %}
level_{{ level }}_relation_counts as (

    select
        members.customer_id,
        relation_conditions.group_key,
        relation_conditions.rule_set,
        relation_conditions.condition_key,
        count(distinct members.group_key) as listed_groups_in
    from relation_conditions
    inner join members_through_level_{{ level - 1 }} as members
        on relation_conditions.referenced_group_key = members.group_key
    where relation_conditions.nesting_depth = {{ level }}
    group by
        members.customer_id,
        relation_conditions.group_key,
        relation_conditions.rule_set,
        relation_conditions.condition_key

),

level_{{ level }}_relation_passes as (

    select distinct
        counts.customer_id,
        counts.group_key,
        counts.rule_set,
        counts.condition_key
    from level_{{ level }}_relation_counts as counts
    inner join relation_conditions as conditions
        on
            counts.group_key = conditions.group_key
            and counts.rule_set = conditions.rule_set
            and counts.condition_key = conditions.condition_key
    where
        conditions.qualifier = 'in_any_customer_group'
        or (conditions.qualifier = 'in_all_customer_group' and counts.listed_groups_in = conditions.listed_groups)

    union all

    -- Negative relations hold for everyone the counts do not rule out.
    select
        customers.customer_id,
        conditions.group_key,
        conditions.rule_set,
        conditions.condition_key
    from (
        select distinct group_key, rule_set, condition_key, qualifier, listed_groups
        from relation_conditions
        where
            nesting_depth = {{ level }}
            and qualifier in ('not_in_customer_group', 'not_in_any_customer_group')
    ) as conditions
    cross join customers
    left join level_{{ level }}_relation_counts as counts
        on
            customers.customer_id = counts.customer_id
            and conditions.group_key = counts.group_key
            and conditions.rule_set = counts.rule_set
            and conditions.condition_key = counts.condition_key
    where
        (conditions.qualifier = 'not_in_any_customer_group' and counts.listed_groups_in is null)
        or (
            conditions.qualifier = 'not_in_customer_group'
            and coalesce(counts.listed_groups_in, 0) < conditions.listed_groups
        )

),
{% endif %}

level_{{ level }}_rule_sets_held as (

    select
        passes.customer_id,
        passes.group_key,
        passes.rule_set
    from (
        select customer_id, group_key, rule_set, condition_key
        from condition_passes
        where nesting_depth = {{ level }}
        {% if level > 0 %}
        union all
        select customer_id, group_key, rule_set, condition_key
        from level_{{ level }}_relation_passes
        {% endif %}
    ) as passes
    inner join rule_set_sizes
        on
            passes.group_key = rule_set_sizes.group_key
            and passes.rule_set = rule_set_sizes.rule_set
    group by passes.customer_id, passes.group_key, passes.rule_set, rule_set_sizes.conditions
    having count(distinct passes.condition_key) = rule_set_sizes.conditions

),

level_{{ level }}_rule_members as (

    select
        customer_id,
        group_key,
        min(rule_set) as matched_rule_set
    from level_{{ level }}_rule_sets_held
    group by customer_id, group_key

),

-- A fixed group's list: frozen by an earlier run, or frozen now from its
-- rules when this is its first run on or after created_on.
level_{{ level }}_frozen_lists as (

    select
        previous_frozen_members.customer_id,
        previous_frozen_members.group_key,
        cast(null as integer) as matched_rule_set
    from previous_frozen_members
    inner join definitions
        on previous_frozen_members.group_key = definitions.group_key
    inner join customers
        on previous_frozen_members.customer_id = customers.customer_id
    where definitions.recalculation = 'fixed' and definitions.nesting_depth = {{ level }}

    union all

    select
        rule_members.customer_id,
        rule_members.group_key,
        rule_members.matched_rule_set
    from level_{{ level }}_rule_members as rule_members
    inner join definitions
        on rule_members.group_key = definitions.group_key
    left join previous_freezes
        on rule_members.group_key = previous_freezes.group_key
    left join audience_exclusions
        on
            rule_members.customer_id = audience_exclusions.customer_id
            and rule_members.group_key = audience_exclusions.group_key
    where
        definitions.recalculation = 'fixed'
        and previous_freezes.group_key is null
        and {{ as_of_date() }} >= definitions.created_on
        and audience_exclusions.customer_id is null

),

level_{{ level }}_members as (

    {{ apply_group_type_to_members(
        'level_' ~ level ~ '_rule_members', 'level_' ~ level ~ '_frozen_lists', level
    ) }}

),

members_through_level_{{ level }} as {{ materialized_cte() }} (

    {% if level > 0 %}
    select * from members_through_level_{{ level - 1 }}
    union all
    {% endif %}
    select * from level_{{ level }}_members

),

{% endfor %}
final as (

    select * from members_through_level_{{ max_depth }}

)

select * from final
