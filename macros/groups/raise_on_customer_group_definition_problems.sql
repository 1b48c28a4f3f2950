{#- Stops the build, before any group is evaluated, when the definition
    seeds have problems: one line per problem naming the seed row (its
    values as they read in the CSV file), the group and what is wrong. A
    cycle is reported once, whichever group starts it. -#}
{% macro raise_on_customer_group_definition_problems() %}
    {%- if not execute -%}
        {{ return('') }}
    {%- endif -%}
    {%- set problems = run_query(
        "select seed_name, seed_row, group_key, rule_set, qualifier, problem from "
        ~ ref('int_customer_group_definition_problems_found')
        ~ " order by seed_name desc, coalesce(group_key, ''), seed_row_id, problem"
    ) -%}
    {%- set lines = [] -%}
    {%- set seen_cycles = [] -%}
    {%- for row in problems.rows -%}
        {%- set problem = row['problem'] -%}
        {%- if problem.startswith('cycle in group references: ') -%}
            {%- set members = problem[27:].split(' -> ') | unique | sort | join(',') -%}
            {%- if members in seen_cycles -%}{%- continue -%}{%- endif -%}
            {%- do seen_cycles.append(members) -%}
        {%- endif -%}
        {%- set where = [row['seed_name'] ~ '.csv row "' ~ row['seed_row'] ~ '"'] -%}
        {%- if row['group_key'] is not none -%}{%- do where.append("group '" ~ row['group_key'] ~ "'") -%}{%- endif -%}
        {%- if row['rule_set'] is not none -%}{%- do where.append('rule_set ' ~ row['rule_set']) -%}{%- endif -%}
        {%- if row['qualifier'] is not none -%}{%- do where.append("qualifier '" ~ row['qualifier'] ~ "'") -%}{%- endif -%}
        {%- do lines.append('  - ' ~ where | join(', ') ~ ': ' ~ problem) -%}
    {%- endfor -%}
    {%- if lines -%}
        {{ exceptions.raise_compiler_error(
            'Customer group definitions have ' ~ lines | length ~ ' problem(s); fix the seeds, then run dbt seed and dbt build again:\n'
            ~ lines | join('\n')
        ) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}
