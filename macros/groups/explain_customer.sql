{#-
    Explains one customer's groups in plain words, for a support agent:
        dbt run-operation explain_customer --args '{customer_id: cus_0000042}'
        dbt run-operation explain_customer --args '{customer_id: cus_0000042, as_of_date: 2026-06-01}'
    Reads the last build (customer_group_definitions, memberships,
    explanations and manual action outcomes); every group, in or out, and why.
    With as_of_date: membership on that date from the history, and the values
    on that date when the last build evaluated it (scripts/explain.py
    evaluates any past date first). A fixed segment or audience is decided
    once, on its created_on: its rows are the values on that date.
-#}
{% macro explain_customer(customer_id, as_of_date=none) %}
    {%- set customer = customer_id | string | replace("'", "''") -%}
    {%- set lines = [] -%}
    {%- set built_on = run_query("select cast(max(as_of_date) as " ~ dbt.type_string() ~ ") from " ~ ref('customer_metrics')).columns[0].values()[0] -%}
    {%- set day = (as_of_date | string | trim) if as_of_date is not none else built_on -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', day | string) -%}
        {{ exceptions.raise_compiler_error("explain_customer: as_of_date must be written YYYY-MM-DD, got '" ~ day ~ "'") }}
    {%- endif -%}
    {%- if day > built_on -%}
        {{ exceptions.raise_compiler_error("explain_customer: the last build evaluated up to " ~ built_on ~ "; " ~ day ~ " is later") }}
    {%- endif -%}
    {%- set evaluated_dates = run_query(
        "select cast(evaluation_date as " ~ dbt.type_string() ~ ") from " ~ ref('int_evaluation_dates')
        ~ " where is_as_of_date or not is_run_date order by 1"
    ).columns[0].values() | list -%}
    {%- set metrics = run_query(
        "select lifetime_value, successful_sales from " ~ ref('int_customer_metrics_by_date')
        ~ " where customer_id = '" ~ customer ~ "' and evaluation_date = cast('" ~ day ~ "' as date)"
    ) -%}
    {%- set exists = run_query("select count(*) from " ~ ref('customer_metrics') ~ " where customer_id = '" ~ customer ~ "'").columns[0].values()[0] -%}
    {%- if exists == 0 -%}
        {%- set quarantined = run_query("select quarantine_reason from " ~ ref('quarantined_source_rows') ~ " where source_table = 'customer' and raw_id = '" ~ customer ~ "'") -%}
        {%- if quarantined.rows | length > 0 -%}
            {%- do print("Customer " ~ customer_id ~ " is quarantined (" ~ quarantined.rows[0][0] ~ "): it has no metrics and no groups until its raw row is fixed.") -%}
        {%- else -%}
            {%- do print("Customer " ~ customer_id ~ " is not evaluated: no such customer, or created after the as_of_date of the last build.") -%}
        {%- endif -%}
        {{ return('') }}
    {%- endif -%}
    {%- if day in evaluated_dates and metrics.rows | length == 0 -%}
        {%- do print("Customer " ~ customer_id ~ " did not exist yet on " ~ day ~ ": it has no metrics and no groups on that date.") -%}
        {{ return('') }}
    {%- endif -%}
    {%- if metrics.rows | length > 0 -%}
        {%- do lines.append("Customer " ~ customer_id ~ " on " ~ day ~ " (lifetime value " ~ plain_number(metrics.rows[0][0]) ~ ", " ~ metrics.rows[0][1] ~ " successful sales)") -%}
    {%- else -%}
        {%- do lines.append("Customer " ~ customer_id ~ " on " ~ day ~ " (membership from the history; the last build did not evaluate the values on "
            ~ day ~ ": python scripts/explain.py --customer " ~ customer_id ~ " --as-of " ~ day ~ " evaluates them)") -%}
    {%- endif -%}

    {%- if day == built_on -%}
        {%- set memberships = ref('customer_group_memberships') -%}
        {%- set membership_columns = "m.source, m.member_since, m.matched_rule_set" -%}
    {%- else -%}
        {%- set memberships = "(select stays.*, stays.valid_from as member_since, stays.entry_source as source, cast(null as integer) as matched_rule_set from "
            ~ ref('customer_group_membership_history') ~ " as stays where stays.valid_from <= cast('" ~ day ~ "' as date)"
            ~ " and (stays.valid_to is null or stays.valid_to > cast('" ~ day ~ "' as date)))" -%}
        {%- set membership_columns = "m.source, m.member_since, m.matched_rule_set" -%}
    {%- endif -%}
    {%- set groups = run_query(
        "select d.group_key, d.group_name, d.group_type, d.recalculation, d.qualifier_method, d.is_enabled, d.badge_icon,"
        ~ " cast(d.created_on as " ~ dbt.type_string() ~ ") as created_on, " ~ membership_columns
        ~ " from " ~ ref('customer_group_definitions') ~ " as d"
        ~ " left join " ~ memberships ~ " as m on m.group_key = d.group_key and m.customer_id = '" ~ customer ~ "'"
        ~ " order by m.source is null, d.priority nulls last, d.group_key"
    ) -%}
    {%- set rows = run_query(
        "select group_key, cast(as_of_date as " ~ dbt.type_string() ~ ") as explained_on, rule_set, qualifier, qualifier_kind, customer_value, min_value, max_value, expected_name, expected_value, passed, rule_set_passed"
        ~ " from (" ~ customer_group_explanation_rows("customer_id = '" ~ customer ~ "'") ~ ") as explanations"
        ~ " order by group_key, rule_set, qualifier_row_id"
    ) -%}
    {%- set actions = run_query(
        "select group_key, action, actor, acted_on, outcome from " ~ ref('customer_group_action_outcomes')
        ~ " where customer_id = '" ~ customer ~ "' and acted_on <= cast('" ~ day ~ "' as date) order by acted_at, customer_group_action_id"
    ) -%}

    {%- for group in groups.rows -%}
        {%- set label = group['group_key'] ~ " (" ~ group['group_name'] ~ ", " ~ group['group_type'] ~ (", badge " ~ group['badge_icon'] if group['badge_icon'] else "") ~ ")" -%}
        {%- set is_list = group['recalculation'] == 'fixed' and group['qualifier_method'] != 'none' -%}
        {%- if group['source'] is not none -%}
            {%- do lines.append("IN   " ~ label ~ ": member since " ~ group['member_since'] ~ ", by " ~ group['source'] ~ (" (rule set " ~ group['matched_rule_set'] ~ " holds)" if group['matched_rule_set'] is not none else "")) -%}
        {%- elif not group['is_enabled'] -%}
            {%- do lines.append("OUT  " ~ label ~ ": the group is disabled, so it has no members") -%}
        {%- elif group['qualifier_method'] == 'none' -%}
            {%- do lines.append("OUT  " ~ label ~ ": a manual group, and no add action for this customer is in force") -%}
        {%- elif is_list and group['created_on'] is not none and group['created_on'] > day -%}
            {%- do lines.append("OUT  " ~ label ~ ": its list is decided on " ~ group['created_on'] ~ ", after " ~ day) -%}
        {%- else -%}
            {%- do lines.append("OUT  " ~ label ~ ": no rule set holds" if group['recalculation'] == 'flexi' else "OUT  " ~ label ~ ": not on the list") -%}
        {%- endif -%}
        {#- A fixed list is decided by the values on its created_on; the rest by the values on the day. -#}
        {%- set explained_on = group['created_on'] if is_list else day -%}
        {%- if is_list and group['created_on'] is not none and group['created_on'] <= day -%}
            {%- do lines.append("       the list was decided on " ~ group['created_on'] ~ " from the values on that date, then edited by hand only") -%}
        {%- endif -%}
        {%- set ns = namespace(rule_set=none, shown=0) -%}
        {%- for row in rows.rows if row['group_key'] == group['group_key'] and row['explained_on'] == explained_on -%}
            {%- set ns.shown = ns.shown + 1 -%}
            {%- if row['rule_set'] != ns.rule_set -%}
                {%- set ns.rule_set = row['rule_set'] -%}
                {%- do lines.append("       rule set " ~ row['rule_set'] ~ (": holds" if row['rule_set_passed'] else ": does not hold")) -%}
            {%- endif -%}
            {%- do lines.append("         " ~ ("[pass] " if row['passed'] else "[fail] ") ~ explain_qualifier_row(row)) -%}
        {%- endfor -%}
        {%- if ns.shown == 0 and is_list and group['is_enabled'] and explained_on <= day
            and explained_on not in evaluated_dates -%}
            {%- do lines.append("       (values on " ~ explained_on ~ " not evaluated by the last build: python scripts/explain.py --customer "
                ~ customer_id ~ " --as-of " ~ day ~ ")") -%}
        {%- endif -%}
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
