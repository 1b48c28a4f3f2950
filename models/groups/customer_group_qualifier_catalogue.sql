{#- The qualifier catalogue as a table, for validation joins and for people
    who want to know which qualifiers exist. -#}
with

catalogue as (

    {% for qualifier, spec in qualifier_catalogue().items() %}
        select
            cast('{{ qualifier }}' as {{ dbt.type_string() }}) as qualifier,
            cast('{{ spec.kind }}' as {{ dbt.type_string() }}) as qualifier_kind,
            cast({{ "'" ~ spec.metric ~ "'" if spec.metric else 'null' }} as {{ dbt.type_string() }}) as metric_column,
            cast({{ 'true' if spec.get('subscription_dependent') else 'false' }} as boolean)
                as is_subscription_dependent,
            cast({{ 'true' if spec.get('needs_name') else 'false' }} as boolean) as needs_name
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select * from catalogue
