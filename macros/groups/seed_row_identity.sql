{#- How a definition seed row is identified on every engine. Seeds keep no
    row order on PostgreSQL or Spark, so a row is named by its content:
    seed_row is its values joined by commas, as they read in the CSV file
    (empty cells empty), which a person can search the file for; seed_row_id
    adds ' #n' to tell identical copies apart (n = 1 for a row that has
    none). -#}
{% macro seed_row_text(columns) -%}
    {%- set parts = [] -%}
    {%- for column in columns -%}
        {%- do parts.append("coalesce(cast(" ~ adapter.quote(column) ~ " as " ~ dbt.type_string() ~ "), '')") -%}
        {%- if not loop.last -%}{%- do parts.append("','") -%}{%- endif -%}
    {%- endfor -%}
    {{ dbt.concat(parts) }}
{%- endmacro %}

{% macro seed_row_id(seed_row) -%}
    {{ dbt.concat([
        seed_row,
        "' #'",
        "cast(row_number() over (partition by " ~ seed_row ~ " order by " ~ seed_row ~ ") as " ~ dbt.type_string() ~ ")",
    ]) }}
{%- endmacro %}
