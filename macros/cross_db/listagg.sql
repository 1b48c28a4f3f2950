{#- Spark 3.5 has no ordered string aggregate, and dbt-spark's listagg drops
    the order (with a warning), so "b, a" could come out as well as "a, b".
    This version collects (sort keys..., value) structs, sorts them and
    joins the values: the order of the other engines' `listagg ... within
    group (order by ...)`. order_by_clause is "order by <expr>, <expr>"
    (ascending; NULL sort keys first). -#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause -%}
        {%- set keys_text = modules.re.sub('(?i)^\\s*order\\s+by\\s+', '', order_by_clause) -%}
        {%- set keys = [] -%}
        {%- for key in keys_text.split(',') -%}
            {%- if modules.re.search('(?i)\\s(desc|asc|nulls)\\b', key) or '(' in key -%}
                {{ exceptions.raise_compiler_error(
                    "spark__listagg sorts by plain ascending expressions without commas inside; got '"
                    ~ order_by_clause ~ "'"
                ) }}
            {%- endif -%}
            {%- do keys.append("'sort_key_" ~ loop.index ~ "', " ~ key | trim) -%}
        {%- endfor -%}
        {%- set entries -%}
            array_sort(collect_list(case when {{ measure }} is not null
                then named_struct({{ keys | join(', ') }}, 'listed_value', {{ measure }}) end))
        {%- endset -%}
        {%- set collected = 'transform(' ~ entries ~ ', listed -> listed.listed_value)' -%}
    {%- else -%}
        {%- set collected = 'collect_list(' ~ measure ~ ')' -%}
    {%- endif -%}
    {%- if limit_num -%}
        {%- set collected = 'slice(' ~ collected ~ ', 1, ' ~ limit_num ~ ')' -%}
    {%- endif -%}
    array_join({{ collected }}, {{ delimiter_text }})
{%- endmacro %}
