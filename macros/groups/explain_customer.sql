{#-
    Explains one customer's groups in plain words, for a support agent:
        dbt run-operation explain_customer --args '{customer_id: cus_0000042}'
    Reads the last build (customer_group_definitions, memberships,
    explanations and manual action outcomes); every group, in or out, and why.
-#}
{% macro explain_customer(customer_id) %}
    {%- set customer = customer_id | string | replace("'", "''") -%}
    {%- set lines = [] -%}
    {%- set metrics = run_query("select as_of_date, lifetime_value, successful_sales, has_subscription from " ~ ref('customer_metrics') ~ " where customer_id = '" ~ customer ~ "'") -%}
    {%- if metrics.rows | length == 0 -%}
        {%- set quarantined = run_query("select quarantine_reason from " ~ ref('quarantined_source_rows') ~ " where source_table = 'customer' and raw_id = '" ~ customer ~ "'") -%}
        {%- if quarantined.rows | length > 0 -%}
            {%- do print("Customer " ~ customer_id ~ " is quarantined (" ~ quarantined.rows[0][0] ~ "): it has no metrics and no groups until its raw row is fixed.") -%}
        {%- else -%}
            {%- do print("Customer " ~ customer_id ~ " is not evaluated: no such customer, or created after the as_of_date of the last build.") -%}
        {%- endif -%}
        {{ return('') }}
    {%- endif -%}
    {%- do lines.append("Customer " ~ customer_id ~ " on " ~ metrics.rows[0][0] ~ " (lifetime value " ~ plain_number(metrics.rows[0][1]) ~ ", " ~ metrics.rows[0][2] ~ " successful sales)") -%}

    {%- set groups = run_query(
        "select d.group_key, d.group_name, d.group_type, d.recalculation, d.qualifier_method, d.is_enabled, d.badge_icon,"
        ~ " m.source, m.member_since, m.matched_rule_set"
        ~ " from " ~ ref('customer_group_definitions') ~ " as d"
        ~ " left join " ~ ref('customer_group_memberships') ~ " as m on m.group_key = d.group_key and m.customer_id = '" ~ customer ~ "'"
        ~ " order by m.source is null, d.priority nulls last, d.group_key"
    ) -%}
    {%- set rows = run_query(
        "select group_key, rule_set, qualifier, qualifier_kind, customer_value, min_value, max_value, expected_name, expected_value, passed, rule_set_passed"
        ~ " from " ~ ref('customer_group_explanations') ~ " where customer_id = '" ~ customer ~ "'"
        ~ " order by group_key, rule_set, qualifier_row_id"
    ) -%}
    {%- set actions = run_query(
        "select group_key, action, actor, acted_on, outcome from " ~ ref('customer_group_action_outcomes')
        ~ " where customer_id = '" ~ customer ~ "' order by acted_at, customer_group_action_id"
    ) -%}

    {%- for group in groups.rows -%}
        {%- set label = group['group_key'] ~ " (" ~ group['group_name'] ~ ", " ~ group['group_type'] ~ (", badge " ~ group['badge_icon'] if group['badge_icon'] else "") ~ ")" -%}
        {%- if group['source'] is not none -%}
            {%- do lines.append("IN   " ~ label ~ ": member since " ~ group['member_since'] ~ ", by " ~ group['source'] ~ (" (rule set " ~ group['matched_rule_set'] ~ " holds)" if group['matched_rule_set'] is not none else "")) -%}
        {%- elif not group['is_enabled'] -%}
            {%- do lines.append("OUT  " ~ label ~ ": the group is disabled, so it has no members") -%}
        {%- elif group['qualifier_method'] == 'none' -%}
            {%- do lines.append("OUT  " ~ label ~ ": a manual group, and no add action for this customer is in force") -%}
        {%- else -%}
            {%- do lines.append("OUT  " ~ label ~ ": no rule set holds" if group['recalculation'] == 'flexi' else "OUT  " ~ label ~ ": not on the list (fixed: rules as of its creation, then manual edits)") -%}
        {%- endif -%}
        {%- set ns = namespace(rule_set=none) -%}
        {%- for row in rows.rows if row['group_key'] == group['group_key'] -%}
            {%- if row['rule_set'] != ns.rule_set -%}
                {%- set ns.rule_set = row['rule_set'] -%}
                {%- do lines.append("       rule set " ~ row['rule_set'] ~ (": holds" if row['rule_set_passed'] else ": does not hold")) -%}
            {%- endif -%}
            {%- do lines.append("         " ~ ("[pass] " if row['passed'] else "[fail] ") ~ explain_qualifier_row(row)) -%}
        {%- endfor -%}
        {%- for action in actions.rows if action['group_key'] == group['group_key'] -%}
            {%- do lines.append("         manual " ~ action['action'] ~ " by " ~ action['actor'] ~ " on " ~ action['acted_on'] ~ ": " ~ action['outcome'] | replace('_', ' ')) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for action in actions.rows if action['outcome'] == 'ignored_unknown_group' -%}
        {%- do lines.append("     manual " ~ action['action'] ~ " on unknown group '" ~ action['group_key'] ~ "' by " ~ action['actor'] ~ " on " ~ action['acted_on'] ~ ": ignored") -%}
    {%- endfor -%}
    {%- do print(lines | join('\n')) -%}
{% endmacro %}

{#- One qualifier row in words: the customer's value against what it needs. -#}
{% macro explain_qualifier_row(row) -%}
    {%- set kind = row['qualifier_kind'] -%}
    {%- if kind == 'range' -%}
        {%- set needs = [] -%}
        {%- if row['min_value'] is not none -%}{%- do needs.append('at least ' ~ plain_number(row['min_value'])) -%}{%- endif -%}
        {%- if row['max_value'] is not none -%}{%- do needs.append('at most ' ~ plain_number(row['max_value'])) -%}{%- endif -%}
        {%- set value = 'has no value' if row['customer_value'] is none else 'is ' ~ plain_number(row['customer_value']) -%}
        {{- row['qualifier'] ~ ' ' ~ value ~ '; needs ' ~ (needs | join(' and ') if needs else 'a value') -}}
    {%- elif kind == 'relation' -%}
        {{- row['qualifier'] ~ ' ' ~ row['expected_value'] ~ ': customer is ' ~ row['customer_value'] -}}
    {%- elif kind == 'flag' -%}
        {{- row['qualifier'] ~ ' = ' ~ (row['expected_value'] or 'true') ~ ': customer ' ~ row['customer_value'] -}}
    {%- elif row['qualifier'] == 'metadata' -%}
        {{- "metadata '" ~ row['expected_name'] ~ "' is " ~ row['customer_value'] ~ '; needs ' ~ ("'" ~ row['expected_value'] ~ "'" if row['expected_value'] is not none else 'any value') -}}
    {%- else -%}
        {{- row['qualifier'] ~ ' is ' ~ row['customer_value'] ~ "; needs '" ~ row['expected_value'] ~ "' (any listed value will do)" -}}
    {%- endif -%}
{%- endmacro %}

{#- 14 rather than 14.000000000000, 1308.39 rather than 1308.390000000000. -#}
{% macro plain_number(value) -%}
    {%- set number = value | float -%}
    {{- number | int if number == (number | int) else number | round(2) -}}
{%- endmacro %}
