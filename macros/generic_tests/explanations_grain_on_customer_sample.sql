{#- The grain of customer_group_explanations, a view too large to read
    whole: fails for every combination of `columns` that appears more than
    once, or where one of `not_null_columns` is NULL, among the rows of
    macro customer_group_explanation_rows (the view's SQL) for the hashed
    sample of customers of in_customer_test_sample. The view itself is not
    read: a filter on its output would not reach the inputs of its left
    joins, and each test would build every customer's rows. One read of the
    rows (a second would keep them all in memory). -#}
{% test explanations_grain_on_customer_sample(model, columns, not_null_columns) %}

with

sampled_rows as (

    {{ customer_group_explanation_rows(in_customer_test_sample('customer_id')) }}

),

checked as (

    select
        {{ columns | join(', ') }},
        count(*) as occurrences,
        max(
            case
                when {{ not_null_columns | join(' is null or ') }} is null then 1
                else 0
            end
        ) as has_null
    from sampled_rows
    group by {{ columns | join(', ') }}

)

select *
from checked
where occurrences > 1 or has_null = 1

{% endtest %}
