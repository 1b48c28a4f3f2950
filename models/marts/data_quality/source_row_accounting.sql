{#- How every raw row was used, per source table and status. The rows of one
    table add up to the raw table's row count (tested). -#}
{%- set tables = revcent_tables() %}

with

{% for source_table, spec in tables.items() %}
    {{ source_table }}_statuses as (

        select
            source_table,
            row_status,
            count(*) as row_count
        from {{ ref(spec.validated_model) }}
        group by source_table, row_status

    ),

{% endfor %}
unioned as (

    {% for source_table in tables %}
        select * from {{ source_table }}_statuses
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(row_status as {{ dbt.type_string() }}) as row_status,
        cast(row_count as bigint) as row_count
    from unioned

)

select * from final
