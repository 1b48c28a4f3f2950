{#-
    Erases the membership history, the event log, the frozen lists and the
    run log, for when someone really means to start history again:
        dbt run-operation reset_customer_group_history --args '{confirm: erase history}'
    `dbt build --full-refresh` never does this (those models set
    full_refresh: false). The next build starts history on its as_of_date.
-#}
{% macro reset_customer_group_history(confirm=none) %}
    {%- if confirm != 'erase history' -%}
        {{ exceptions.raise_compiler_error(
            "This erases every stay, event, frozen list and run record of customer groups. "
            ~ "To do it, pass --args '{confirm: erase history}'."
        ) }}
    {%- endif -%}
    {%- for identifier in ['customer_group_membership_history', 'customer_group_events', 'customer_group_frozen_members', 'customer_group_run_log'] -%}
        {%- set expected = state_model_relation(identifier) -%}
        {%- set relation = adapter.get_relation(
            database=expected.database, schema=expected.schema, identifier=expected.identifier
        ) -%}
        {%- if relation is not none -%}
            {%- do adapter.drop_relation(relation) -%}
            {%- do print('dropped ' ~ relation) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- do adapter.commit() -%}
{% endmacro %}
