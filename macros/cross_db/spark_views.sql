{#- Spark with Iceberg's SparkSessionCatalog stores views as Iceberg views,
    and there `create or replace view` keeps the old definition without an
    error (Iceberg 1.10.2, Spark 3.5): a view filtering on as_of_date would
    go on answering for the first day. So an existing view is dropped first,
    then created; otherwise this is dbt-spark's own spark__create_view_as. -#}
{% macro spark__create_view_as(relation, sql) -%}
    {%- if execute -%}
        {%- do run_query('drop view if exists ' ~ relation) -%}
    {%- endif %}
    create view {{ relation }}
    {% if config.persist_column_docs() -%}
        {%- set model_columns = model.columns -%}
        {%- set query_columns = get_columns_in_query(sql) -%}
        (
        {{ get_persist_docs_column_list(model_columns, query_columns) }}
        )
    {% endif %}
    {{ comment_clause() }}
    {%- set contract_config = config.get('contract') -%}
    {%- if contract_config.enforced -%}
        {{ get_assert_columns_equivalent(sql) }}
    {%- endif %}
    as
    {{ sql }}
{%- endmacro %}
