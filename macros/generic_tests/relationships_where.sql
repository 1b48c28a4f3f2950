{#- Like dbt's relationships test, but the parent side is filtered too:
    every non-null `column_name` of the (optionally `where`-filtered) model
    must be a `field` of the `to` rows that satisfy `to_where`. E.g. a clean
    sale must name a clean customer, not just any customer row. -#}
{% test relationships_where(model, column_name, to, field, to_where='1 = 1') %}

with

child as (

    select {{ column_name }} as child_key
    from {{ model }}
    where {{ column_name }} is not null

),

parent as (

    select {{ field }} as parent_key
    from {{ to }}
    where {{ to_where }}

)

select child.child_key
from child
left join parent
    on child.child_key = parent.parent_key
where parent.parent_key is null

{% endtest %}
