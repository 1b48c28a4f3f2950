{#-
    Optional raw tables (docs/data_quality.md, "Optional tables"). A
    business without PayPal, say, has no `paypal_dispute` table: with
    `--vars '{revcent__using_paypal_disputes: false}'` its staging model
    reads an empty relation of the raw columns (as text; staging reads every
    column through try_cast_value), so validation, the quarantine and the
    accounting see no rows and the metrics built on it are 0. The catalogue
    (revcent_tables) names each optional table's var; customers, sales and
    the other tables every metric needs are always required.
-#}
{% macro revcent_table_enabled(source_table) -%}
    {%- set enabled_var = revcent_tables()[source_table].get('enabled_var') -%}
    {%- if enabled_var is none -%}
        {{ return(true) }}
    {%- endif -%}
    {%- set value = var(enabled_var, true) -%}
    {{ return(value | string | lower not in ['false', '0', 'no', 'off']) }}
{%- endmacro %}

{#- The raw table to select from: the source, or an empty relation with its
    columns when the table is switched off. -#}
{% macro revcent_source(source_table) -%}
    {%- if revcent_table_enabled(source_table) -%}
        {%- set relation = source('revcent', source_table) -%}
        {#- Only when the build is about to read it (a unit test's fixture,
            `dbt compile` or the linter need no raw table). -#}
        {%- if execute and model.resource_type == 'model' and flags.WHICH in ['run', 'build']
            and adapter.get_relation(
            database=relation.database, schema=relation.schema, identifier=relation.identifier) is none -%}
            {%- set enabled_var = revcent_tables()[source_table].get('enabled_var') -%}
            {{ exceptions.raise_compiler_error(
                'raw table ' ~ relation ~ ' does not exist; '
                ~ ("if this source has no such table, run with --vars '{" ~ enabled_var ~ ": false}'"
                   if enabled_var else 'it is required (SPEC §2): load it, or point vars revcent_database / revcent_schema at it')
            ) }}
        {%- endif -%}
        {{ return(relation) }}
    {%- endif -%}
    {%- set columns = [] -%}
    {%- for column in revcent_tables()[source_table].raw_columns -%}
        {%- do columns.append('cast(null as ' ~ dbt.type_string() ~ ') as ' ~ column) -%}
    {%- endfor -%}
    {{ return('(select ' ~ columns | join(', ') ~ ' where 1 = 0) as disabled_' ~ source_table) }}
{%- endmacro %}
