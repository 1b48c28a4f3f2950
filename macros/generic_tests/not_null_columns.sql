{#- Fails for every row where any of `columns` is NULL: several not_null
    checks in one read of the model, for relations whose every read is
    expensive (the explanations view recomputes on each read). Only the
    checked columns are selected, so the engine computes no other column of
    the view (at 1M customers `select *` there ran out of memory). -#}
{% test not_null_columns(model, columns) %}

select
    {{ columns | join(',\n    ') }}
from {{ model }}
where
    {% for column in columns -%}
    {{ column }} is null{% if not loop.last %} or {% endif %}
    {% endfor %}

{% endtest %}
