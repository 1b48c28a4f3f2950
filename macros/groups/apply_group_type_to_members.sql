{#-
    Turns the customers who qualify by a group's rules into its final members,
    by group type (SPEC §3), for the groups at one nesting depth, on each
    evaluation date. `definitions` names the calling model's CTE of the
    definitions of those groups; it also reads its CTE manual_decisions
    (the resolved manual actions of those groups).
      - flexi segments and badges: the qualifying customers (source rule);
      - `none` groups: customers whose latest applied action is add (manual);
      - fixed segments and audiences: their frozen list (source frozen),
        edited by the manual actions taken from created_on on: the latest
        applied action decides (remove takes a listed customer out, add puts
        an unlisted one in, source manual).
-#}
{% macro apply_group_type_to_members(rule_members, frozen_lists, definitions) %}
    select
        rule_members.customer_id,
        rule_members.evaluation_date,
        rule_members.group_key,
        rule_members.matched_rule_set,
        'rule' as membership_source
    from {{ rule_members }} as rule_members
    inner join {{ definitions }} as definitions
        on rule_members.group_key = definitions.group_key
    where definitions.recalculation = 'flexi'

    union all

    select
        frozen_lists.customer_id,
        frozen_lists.evaluation_date,
        frozen_lists.group_key,
        frozen_lists.matched_rule_set,
        'frozen' as membership_source
    from {{ frozen_lists }} as frozen_lists
    left join manual_decisions
        on
            frozen_lists.customer_id = manual_decisions.customer_id
            and frozen_lists.evaluation_date = manual_decisions.evaluation_date
            and frozen_lists.group_key = manual_decisions.group_key
    where coalesce(manual_decisions.latest_action, 'add') = 'add'

    union all

    select
        manual_decisions.customer_id,
        manual_decisions.evaluation_date,
        manual_decisions.group_key,
        cast(null as integer) as matched_rule_set,
        'manual' as membership_source
    from manual_decisions
    inner join {{ definitions }} as definitions
        on manual_decisions.group_key = definitions.group_key
    left join {{ frozen_lists }} as frozen_lists
        on
            manual_decisions.customer_id = frozen_lists.customer_id
            and manual_decisions.evaluation_date = frozen_lists.evaluation_date
            and manual_decisions.group_key = frozen_lists.group_key
    where
        manual_decisions.latest_action = 'add'
        and frozen_lists.customer_id is null
        and (
            definitions.qualifier_method = 'none'
            or (definitions.recalculation = 'fixed' and manual_decisions.evaluation_date >= definitions.created_on)
        )
{% endmacro %}
