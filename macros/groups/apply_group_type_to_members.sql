{#-
    Turns the customers who qualify by a group's rules into its final members,
    by group type (SPEC §3), for the groups at one nesting level:
      - flexi segments and badges: the qualifying customers;
      - `none` groups: customers whose latest manual action is add;
      - fixed segments and audiences: the qualifying customers (none before
        created_on; audiences without the customers they must leave out),
        edited by the manual actions that apply to them.
-#}
{% macro apply_group_type_to_members(rule_members, level, definitions, manual_decisions, audience_exclusions) %}
    select
        rule_members.customer_id,
        rule_members.group_key,
        rule_members.matched_rule_set,
        'rule' as membership_source
    from {{ rule_members }} as rule_members
    inner join {{ definitions }} as definitions
        on rule_members.group_key = definitions.group_key
    left join {{ manual_decisions }} as manual_decisions
        on
            rule_members.customer_id = manual_decisions.customer_id
            and rule_members.group_key = manual_decisions.group_key
    left join {{ audience_exclusions }} as audience_exclusions
        on
            rule_members.customer_id = audience_exclusions.customer_id
            and rule_members.group_key = audience_exclusions.group_key
    where
        definitions.qualifier_method != 'none'
        and (
            definitions.recalculation = 'flexi'
            or (
                {{ as_of_date() }} >= definitions.created_on
                and audience_exclusions.customer_id is null
                and coalesce(manual_decisions.latest_action, 'add') = 'add'
            )
        )

    union all

    select
        manual_decisions.customer_id,
        manual_decisions.group_key,
        cast(null as integer) as matched_rule_set,
        'manual' as membership_source
    from {{ manual_decisions }} as manual_decisions
    inner join {{ definitions }} as definitions
        on manual_decisions.group_key = definitions.group_key
    left join {{ rule_members }} as rule_members
        on
            manual_decisions.customer_id = rule_members.customer_id
            and manual_decisions.group_key = rule_members.group_key
    where
        manual_decisions.nesting_depth = {{ level }}
        and manual_decisions.latest_action = 'add'
        and (
            definitions.qualifier_method = 'none'
            or (
                definitions.recalculation = 'fixed'
                and {{ as_of_date() }} >= definitions.created_on
                and rule_members.customer_id is null
            )
        )
{% endmacro %}
