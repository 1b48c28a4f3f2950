{#- Fails for every row where any of `columns` is NULL: every not_null
    check of a model in one read and one dbt node (each model lists its
    columns once, with a `where` config for the checks that hold only on
    some rows). A node per column cost a daily 1M build about 220 extra
    nodes. Only the checked columns are selected, so the engine computes no
    other column of a view (at 1M customers `select *` on the explanations
    view ran out of memory). -#}
{% test not_null_columns(model, columns) %}

select
    {{ columns | join(',\n    ') }}
from {{ model }}
where
    {% for column in columns -%}
    {{ column }} is null{% if not loop.last %} or {% endif %}
    {% endfor %}

{% endtest %}
