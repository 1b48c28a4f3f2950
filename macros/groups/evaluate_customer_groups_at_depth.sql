{#-
    Group evaluation is one model per nesting depth,
    int_customer_groups_evaluated_at_depth_<depth>, each the SQL of this
    macro: the final members, on each evaluation date of the run, of the
    enabled groups at that depth (int_customer_group_dependencies_resolved).
    A group at depth d references only groups at depths below d, so the
    model for depth d reads the final members of the lower depths' models,
    already built: relation qualifiers read the referenced groups' final
    membership on the same date, at any depth. Each model is one plain query
    that any engine plans quickly; int_customer_groups_evaluated_by_date
    unions them.

    A rule set holds when the customer passes every one of its conditions;
    a rule group's members are the customers for whom any rule set holds
    (int_customer_group_rule_sets_matched has the customers passing a rule
    set's conditions that read no other group, for every group at once).
    Then the group type decides (apply_group_type_to_members): flexi groups
    take the qualifying customers, `none` groups follow manual actions, fixed
    segments and audiences keep their frozen list edited by manual actions.
    A fixed list not frozen by an earlier run is the group's rule members on
    the row for evaluation_date = created_on (less an audience's exclusions),
    whatever the date of the run (SPEC §3); it holds on every evaluation
    date from created_on on.
    Disabled groups have no members and so count as empty where referenced.
-#}
{#- The depths evaluated: 0 to var max_group_nesting_depth, each by its
    model (a depth model above the limit is disabled). Models exist for
    depths 0 to 8: a higher limit needs more of them. -#}
{% macro customer_group_evaluation_depths() -%}
    {%- set highest_model = 8 -%}
    {%- set limit = var('max_group_nesting_depth') | int -%}
    {%- if limit > highest_model -%}
        {{ exceptions.raise_compiler_error(
            "var max_group_nesting_depth is " ~ limit ~ ", but group evaluation has models for depths 0 to "
            ~ highest_model ~ " only: add models int_customer_groups_evaluated_at_depth_<depth> up to the"
            ~ " new limit (each like the others) and raise highest_model in macro"
            ~ " customer_group_evaluation_depths."
        ) }}
    {%- endif -%}
    {{ return(range(limit + 1)) }}
{%- endmacro %}

{% macro evaluate_customer_groups_at_depth(depth) %}
{%- set depth = depth | int -%}
with

definitions as (

    select * from {{ ref('int_customer_group_definitions_checked') }}
    where is_enabled

),

-- The groups evaluated here.
depth_definitions as (

    select * from definitions
    where nesting_depth = {{ depth }}

),

customers as (

    select
        customer_id,
        evaluation_date,
        customer_evaluation_number
    from {{ ref('int_customer_metrics_by_date') }}

),

rule_sets as (

    select
        qualifiers.group_key,
        qualifiers.rule_set,
        qualifiers.rule_set_number,
        count(distinct case when qualifiers.qualifier_kind = 'relation' then qualifiers.condition_key end)
            as relation_conditions,
        count(distinct case
            when qualifiers.qualifier in ('in_any_customer_group', 'in_all_customer_group')
                then qualifiers.condition_key
        end) as positive_relation_conditions,
        count(distinct case when qualifiers.qualifier_kind != 'relation' then qualifiers.condition_key end)
            as other_conditions
    from {{ ref('int_customer_group_qualifiers_parsed') }} as qualifiers
    inner join depth_definitions
        on qualifiers.group_key = depth_definitions.group_key
    where depth_definitions.qualifier_method != 'none'
    group by qualifiers.group_key, qualifiers.rule_set, qualifiers.rule_set_number

),

-- Customers passing every condition of a rule set that reads no other
-- group (the matches name the customer on a date and the rule set by number).
matched_rule_sets as (

    select
        customers.customer_id,
        customers.evaluation_date,
        rule_sets.group_key,
        rule_sets.rule_set,
        rule_sets.relation_conditions
    from {{ ref('int_customer_group_rule_sets_matched') }} as rule_sets_matched
    inner join rule_sets
        on rule_sets_matched.rule_set_number = rule_sets.rule_set_number
    inner join customers
        on rule_sets_matched.customer_evaluation_number = customers.customer_evaluation_number

),

manual_decisions as (

    select resolved.*
    from {{ ref('int_customer_group_actions_resolved') }} as resolved
    inner join depth_definitions
        on resolved.group_key = depth_definitions.group_key
    inner join customers
        on
            resolved.customer_id = customers.customer_id
            and resolved.evaluation_date = customers.evaluation_date

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

{% if depth > 0 %}
    -- One row per listed group of each relation condition; each condition
    -- also gets a number, so the counts below are keyed by one integer
    -- instead of four text columns (a wide key made the count run out of
    -- memory at 10M customers).
    relation_conditions as (

        select
            listed.*,
            count(*) over (partition by listed.group_key, listed.rule_set, listed.condition_key) as listed_groups,
            dense_rank() over (order by listed.group_key, listed.rule_set, listed.condition_key)
                as relation_condition_number
        from (
            select distinct
                qualifiers.group_key,
                qualifiers.rule_set,
                qualifiers.condition_key,
                qualifiers.qualifier,
                qualifiers.referenced_group_key
            from {{ ref('int_customer_group_qualifiers_parsed') }} as qualifiers
            inner join depth_definitions
                on qualifiers.group_key = depth_definitions.group_key
            where
                depth_definitions.qualifier_method != 'none'
                and qualifiers.qualifier_kind = 'relation'
        ) as listed

    ),

    -- One row per relation condition of a rule set.
    relation_condition_rules as (

        select distinct
            group_key,
            rule_set,
            relation_condition_number,
            qualifier,
            listed_groups
        from relation_conditions

    ),

    -- How many of the groups a relation condition lists each customer is in
    -- (their final membership, from the lower depths), for the customers in
    -- at least one.
    listed_groups_joined as (

        select
            lower_members.customer_id,
            lower_members.evaluation_date,
            conditions.relation_condition_number,
            count(*) as listed_groups_in
        from (
            {% for lower in range(depth) %}
                select
                    customer_id,
                    evaluation_date,
                    group_key
                from {{ ref('int_customer_groups_evaluated_at_depth_' ~ lower) }}
                {% if not loop.last %}union all{% endif %}
            {% endfor %}
        ) as lower_members
        inner join relation_conditions as conditions
            on lower_members.group_key = conditions.referenced_group_key
        group by
            lower_members.customer_id,
            lower_members.evaluation_date,
            conditions.relation_condition_number

    ),

    -- Who a relation rule set can still hold for: those who pass its other
    -- conditions; else, with a positive relation, those in one of the groups
    -- it lists; else (only negative relations) everyone.
    relation_candidates as (

        select
            customer_id,
            evaluation_date,
            group_key,
            rule_set
        from matched_rule_sets
        where relation_conditions > 0

        union all

        select distinct
            joined.customer_id,
            joined.evaluation_date,
            rule_sets.group_key,
            rule_sets.rule_set
        from rule_sets
        inner join relation_condition_rules as conditions
            on
                rule_sets.group_key = conditions.group_key
                and rule_sets.rule_set = conditions.rule_set
        inner join listed_groups_joined as joined
            on conditions.relation_condition_number = joined.relation_condition_number
        where
            rule_sets.other_conditions = 0
            and conditions.qualifier in ('in_any_customer_group', 'in_all_customer_group')

        union all

        select
            customers.customer_id,
            customers.evaluation_date,
            rule_sets.group_key,
            rule_sets.rule_set
        from rule_sets
        cross join customers
        where
            rule_sets.relation_conditions > 0
            and rule_sets.other_conditions = 0
            and rule_sets.positive_relation_conditions = 0

    ),

    -- A candidate's rule set holds when every one of its relation conditions
    -- holds.
    relation_rule_sets_held as (

        select
            candidates.customer_id,
            candidates.evaluation_date,
            candidates.group_key,
            candidates.rule_set
        from relation_candidates as candidates
        inner join relation_condition_rules as conditions
            on
                candidates.group_key = conditions.group_key
                and candidates.rule_set = conditions.rule_set
        left join listed_groups_joined as joined
            on
                candidates.customer_id = joined.customer_id
                and candidates.evaluation_date = joined.evaluation_date
                and conditions.relation_condition_number = joined.relation_condition_number
        group by
            candidates.customer_id,
            candidates.evaluation_date,
            candidates.group_key,
            candidates.rule_set
        having min(
            case
                when {{ relation_condition_holds(
                    'conditions.qualifier', 'coalesce(joined.listed_groups_in, 0)', 'conditions.listed_groups'
                ) }} then 1
                else 0
            end
        ) = 1

    ),
{% endif %}

rule_members as {{ materialized_cte() }} (

    select
        customer_id,
        evaluation_date,
        group_key,
        min(rule_set) as matched_rule_set
    from (
        select
            customer_id,
            evaluation_date,
            group_key,
            rule_set
        from matched_rule_sets
        where relation_conditions = 0
        {% if depth > 0 %}
            union all
            select
                customer_id,
                evaluation_date,
                group_key,
                rule_set
            from relation_rule_sets_held
        {% endif %}
    ) as held
    group by customer_id, evaluation_date, group_key

),

-- A fixed group's list on each evaluation date from created_on on: frozen
-- by an earlier run, or frozen now from its rule members on created_on
-- (the rows evaluated as of that date, whatever the date of this run).
frozen_lists as {{ materialized_cte() }} (

    select
        previous_frozen_members.customer_id,
        customers.evaluation_date,
        previous_frozen_members.group_key,
        cast(null as integer) as matched_rule_set
    from previous_frozen_members
    inner join depth_definitions
        on previous_frozen_members.group_key = depth_definitions.group_key
    inner join customers
        on previous_frozen_members.customer_id = customers.customer_id
    where
        depth_definitions.recalculation = 'fixed'
        and customers.evaluation_date >= depth_definitions.created_on

    union all

    select
        rule_members.customer_id,
        customers.evaluation_date,
        rule_members.group_key,
        -- A list is kept whatever rules hold later: no rule set, as on the
        -- days after the run that froze it.
        cast(null as integer) as matched_rule_set
    from rule_members
    inner join depth_definitions
        on
            rule_members.group_key = depth_definitions.group_key
            and rule_members.evaluation_date = depth_definitions.created_on
    inner join customers
        on
            rule_members.customer_id = customers.customer_id
            and depth_definitions.created_on <= customers.evaluation_date
    left join previous_freezes
        on rule_members.group_key = previous_freezes.group_key
    left join audience_exclusions
        on
            rule_members.customer_id = audience_exclusions.customer_id
            and rule_members.group_key = audience_exclusions.group_key
    where
        depth_definitions.recalculation = 'fixed'
        and previous_freezes.group_key is null
        and audience_exclusions.customer_id is null

),

final as (

    {{ apply_group_type_to_members('rule_members', 'frozen_lists', 'depth_definitions') }}

)

select * from final
{% endmacro %}
