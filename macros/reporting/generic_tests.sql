{#- Generic tests of the reporting marts. -#}

{#- Fails for every row whose value lies outside [min_value, max_value]
    (NULLs pass: a rate with nothing to measure is NULL on purpose). E.g. a
    share of members is between 0 and 1. -#}
{% test value_between(model, column_name, min_value, max_value) %}

select {{ column_name }}
from {{ model }}
where
    {{ column_name }} < {{ min_value }}
    or {{ column_name }} > {{ max_value }}

{% endtest %}

{#- Two models that report the same figure must agree: for every key of
    either side (after the optional filters), `column_name` of the model
    equals `to_column` of `to`, a missing row counting as `missing_as`.
    E.g. the members a group has in the performance mart equal its
    members at the end of as_of_date in the daily movement. -#}
{% test reconciles_with(model, column_name, key, to, to_key, to_column, where_to='1 = 1', missing_as=0) %}

with

this_side as (

    select {{ key }} as reconciled_key, {{ column_name }} as this_value
    from {{ model }}

),

other_side as (

    select {{ to_key }} as reconciled_key, {{ to_column }} as other_value
    from {{ to }}
    where {{ where_to }}

)

select
    coalesce(this_side.reconciled_key, other_side.reconciled_key) as reconciled_key,
    this_side.this_value,
    other_side.other_value
from this_side
full outer join other_side
    on this_side.reconciled_key = other_side.reconciled_key
where
    coalesce(this_side.this_value, {{ missing_as }})
    <> coalesce(other_side.other_value, {{ missing_as }})

{% endtest %}
