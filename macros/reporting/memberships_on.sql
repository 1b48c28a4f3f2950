{#- As-of queries on the membership history, for analysts: who was in which
    group on a date, read from customer_group_membership_history (a stay
    counts on D when valid_from <= D < valid_to, or it is still open), so
    nobody re-derives the interval logic by hand. Filter by group and/or
    customer; on_date is a YYYY-MM-DD string. One row per customer and group:
    customer_id, group_key, on_date, member_since (the start of the stay).

        dbt show --inline "{{ memberships_on('2026-06-15', group_key='vip') }}" --limit 100
        dbt show --inline "{{ memberships_on('2026-06-15', customer_id='cus_0000042') }}"

    In a model or analysis: select * from ({{ memberships_on('2026-06-15') }}) as members -#}
{% macro memberships_on(on_date, group_key=none, customer_id=none) -%}
    {%- set day = on_date | string | trim -%}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', day) -%}
        {{ exceptions.raise_compiler_error("memberships_on: on_date must be written YYYY-MM-DD, got '" ~ day ~ "'") }}
    {%- endif -%}
    select
        stays.customer_id,
        stays.group_key,
        cast('{{ day }}' as date) as on_date,
        stays.valid_from as member_since
    from {{ ref('customer_group_membership_history') }} as stays
    where
        stays.valid_from <= cast('{{ day }}' as date)
        and (stays.valid_to is null or stays.valid_to > cast('{{ day }}' as date))
        {%- if group_key is not none %}
        and stays.group_key = {{ sql_string_list([group_key]) }}
        {%- endif %}
        {%- if customer_id is not none %}
        and stays.customer_id = '{{ customer_id | string | replace("'", "''") }}'
        {%- endif %}
{%- endmacro %}
