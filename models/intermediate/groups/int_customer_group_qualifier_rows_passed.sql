{#- One row per customer, evaluation date and qualifier row that holds for
    them on that date (int_evaluation_dates), for every
    row of an enabled rule group that does not depend on other groups: range
    rows joined on the metric and its bounds (inclusive, an empty bound is
    open; a NULL metric has no row and so fails), list rows on the
    customer's values (metadata by name, and by value unless the value is
    empty), and the has_no_sales flag. The one place these qualifiers are
    matched: group evaluation counts the conditions passed per rule set, and
    customer_group_explanations shows each row's outcome, both from here.
    Relation rows are decided level by level in int_customer_groups_evaluated.

    The largest table of group evaluation (at 200 groups ~280 rows per
    customer), so a row is two integers: the customer on the date
    (customer_evaluation_number of int_customer_metrics_by_date) and the
    qualifier row (qualifier_row_number of
    int_customer_group_qualifiers_parsed). At 1M customers and 200 groups,
    with the text ids (customer, date, seed_row_id) writing it took 24 s
    instead of 12 s, and matching rule sets from it 32 s instead of 20 s. -#}
with

qualifiers as (

    {{ rule_group_qualifier_rows(include_relations=false) }}

),

metrics as (

    select * from {{ ref('int_customer_metrics_unpivoted') }}

),

attributes as (

    select * from {{ ref('int_customer_attributes_unioned') }}

),

customers as (

    select
        customer_id,
        evaluation_date,
        customer_evaluation_number,
        has_sales
    from {{ ref('int_customer_metrics_by_date') }}

),

range_passes as (

    select
        metrics.customer_evaluation_number,
        qualifiers.qualifier_row_number
    from qualifiers
    inner join metrics
        on
            qualifiers.metric_column = metrics.metric_column
            and (qualifiers.min_value is null or qualifiers.min_value <= metrics.metric_value)
            and (qualifiers.max_value is null or qualifiers.max_value >= metrics.metric_value)
    where qualifiers.qualifier_kind = 'range'

),

-- A row passes once, however many of the customer's values match it.
list_passes as (

    select distinct
        customers.customer_evaluation_number,
        qualifiers.qualifier_row_number
    from qualifiers
    inner join attributes
        on
            qualifiers.qualifier = attributes.attribute
            and (
                qualifiers.qualifier != 'metadata'
                or qualifiers.qualifier_name = attributes.attribute_name
            )
            -- An empty metadata value means "has the name at all".
            and (
                qualifiers.qualifier_value = attributes.attribute_value
                or (qualifiers.qualifier = 'metadata' and qualifiers.qualifier_value is null)
            )
    -- A value counts from the first day the customer has it.
    inner join customers
        on
            attributes.customer_id = customers.customer_id
            and attributes.held_since <= customers.evaluation_date
    where qualifiers.qualifier_kind = 'list'

),

flag_passes as (

    select
        customers.customer_evaluation_number,
        qualifiers.qualifier_row_number
    from qualifiers
    inner join customers
        on {{ text_to_boolean('qualifiers.qualifier_value', 'true') }} != customers.has_sales
    where qualifiers.qualifier = 'has_no_sales'

),

final as (

    select * from range_passes
    union all
    select * from list_passes
    union all
    select * from flag_passes

)

select * from final
