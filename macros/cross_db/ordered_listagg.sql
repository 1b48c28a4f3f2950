{#- The values of `measure` in a group, joined by `delimiter_text` in the
    order of `order_by` (a list of expressions, each ascending, NULLs last),
    skipping NULL values; NULL when there is none. dbt.listagg with an
    `order by` clause does this on DuckDB and PostgreSQL, but Spark's
    collect_list keeps no order, so Spark sorts structs of the order keys
    and the value (sort_array orders structs field by field) before joining.
    Each key is preceded by `key is null`, so NULL keys sort last there too
    and every engine gives the same text. DuckDB does the same with a sorted
    list: its string_agg with `order by` keeps every group's input in memory
    until the end, which ran out of memory in customer_360 at 1M customers
    with 400MB, where list aggregates spill like any other. -#}
{% macro ordered_listagg(measure, delimiter_text, order_by) -%}
    {{ return(adapter.dispatch('ordered_listagg', 'customer_groups')(measure, delimiter_text, order_by)) }}
{%- endmacro %}

{% macro default__ordered_listagg(measure, delimiter_text, order_by) -%}
    {{ dbt.listagg(measure, delimiter_text, 'order by ' ~ (order_by | join(', '))) }}
{%- endmacro %}

{% macro duckdb__ordered_listagg(measure, delimiter_text, order_by) -%}
    case when count({{ measure }}) > 0 then array_to_string(
        list_transform(
            list_sort(list(struct_pack(
                {%- for key in order_by %}
                null_{{ loop.index }} := ({{ key }}) is null, key_{{ loop.index }} := {{ key }},
                {%- endfor %}
                value := {{ measure }}
            )) filter (where {{ measure }} is not null)),
            lambda sorted_item: struct_extract(sorted_item, 'value')
        ),
        {{ delimiter_text }}
    ) end
{%- endmacro %}

{% macro postgres__ordered_listagg(measure, delimiter_text, order_by) -%}
    {{ default__ordered_listagg(measure, delimiter_text, order_by) }}
{%- endmacro %}

{% macro spark__ordered_listagg(measure, delimiter_text, order_by) -%}
    case when count({{ measure }}) > 0 then array_join(
        transform(
            sort_array(collect_list(named_struct(
                {%- for key in order_by %}
                'null_{{ loop.index }}', ({{ key }}) is null, 'key_{{ loop.index }}', {{ key }},
                {%- endfor %}
                'value', {{ measure }}
            ))),
            sorted -> sorted.value
        ),
        {{ delimiter_text }}
    ) end
{%- endmacro %}
