{#- Fails for every row where the column's nullness disagrees with the
    condition: the column must be filled exactly when `condition` is true
    and NULL otherwise (a NULL condition counts as false). E.g.
    quarantine_reason is set exactly when row_status = 'quarantined'. -#}
{% test not_null_exactly_when(model, column_name, condition) %}

select *
from {{ model }}
where
    ({{ column_name }} is not null)
    <> coalesce(({{ condition }}), false)

{% endtest %}
