{#- Every raw row that staging kept out of the clean models, with its reason. -#}
{%- set tables = revcent_tables() %}

with

{% for source_table, spec in tables.items() %}
    {{ source_table }}_quarantine as (

        select
            source_table,
            source_row_key,
            quarantine_reason,
            quarantine_detail
        from {{ ref(spec.validated_model) }}
        where row_status = 'quarantined'

    ),

{% endfor %}
unioned as (

    {% for source_table in tables %}
        select * from {{ source_table }}_quarantine
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

final as (

    select
        cast(
            {{ dbt.hash(dbt.concat([
                "source_table", "'|'", "coalesce(source_row_key, '<null>')", "'|'", "quarantine_reason"
            ])) }} as {{ dbt.type_string() }}
        ) as quarantined_row_id,
        cast(source_table as {{ dbt.type_string() }}) as source_table,
        cast(source_row_key as {{ dbt.type_string() }}) as raw_id,
        cast(quarantine_reason as {{ dbt.type_string() }}) as quarantine_reason,
        cast(max(quarantine_detail) as {{ dbt.type_string() }}) as quarantine_detail,
        cast(count(*) as integer) as raw_row_count
    from unioned
    group by source_table, source_row_key, quarantine_reason

)

select * from final
