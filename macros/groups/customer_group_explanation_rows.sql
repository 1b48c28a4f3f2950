{#-
    Why each customer is in or out of each rule group: one row per customer,
    group and qualifier row evaluated, with the customer's value, the bounds
    or expected value, and whether the row, its condition, its rule set and
    the group held. Nothing is decided here: row outcomes come from
    int_customer_group_qualifier_rows_passed (range, list and flag rows) and
    from final membership (relation rows), and conditions of relations
    follow relation_condition_holds, as in group evaluation.
    Rows for each date the last build evaluated besides the days a backfill
    replayed: its as_of_date, the dates of var extra_evaluation_dates and the
    created_on of fixed lists it froze (as_of_date is the date explained).

    customer_filter: a predicate on the column `customer_id`, or none for
    every customer. It is applied to each per-customer input before the
    joins, so one customer (explain_customer) or the tests' hashed sample
    (in_customer_test_sample) costs a share of the whole: a filter on the
    view's output does not reach the inputs of its left joins, and the tests
    of the view itself ran out of memory at 1M customers with 1GB.
    The view customer_group_explanations is this macro with no filter.
-#}
{% macro customer_group_explanation_rows(customer_filter=none) %}
{%- set text = dbt.type_string() -%}
with

qualifiers as (

    {{ rule_group_qualifier_rows() }}

),

explained_dates as (

    select evaluation_date
    from {{ ref('int_evaluation_dates') }}
    where is_as_of_date or not is_run_date

),

-- Each per-date input is cut to the explained dates (a backfill leaves
-- every replayed day in them) and to the customers asked for before it is
-- joined.
customers as (

    {{ explained_rows_of(ref('int_customer_metrics_by_date'), customer_filter) }}

),

attribute_values as (

    select
        attributes.customer_id,
        explained_dates.evaluation_date,
        attributes.attribute,
        attributes.attribute_name,
        {{ ordered_listagg('attributes.attribute_value', "', '", ['attributes.attribute_value']) }}
            as attribute_values
    from {{ rows_of_customers(ref('int_customer_attributes_unioned'), customer_filter) }} as attributes
    inner join explained_dates
        on attributes.held_since <= explained_dates.evaluation_date
    group by attributes.customer_id, explained_dates.evaluation_date, attributes.attribute, attributes.attribute_name

),

-- The passes name the customer on a date by its number in the metrics.
passes as (

    select passes.*
    from {{ ref('int_customer_group_qualifier_rows_passed') }} as passes
    inner join (
        {{ explained_rows_of(ref('int_customer_metrics_by_date'), customer_filter) }}
    ) as explained_customers
        on passes.customer_evaluation_number = explained_customers.customer_evaluation_number

),

members as (

    {{ explained_rows_of(ref('int_customer_groups_evaluated_by_date'), customer_filter) }}

),

evaluated as (

    select
        customers.customer_id,
        customers.evaluation_date,
        qualifiers.group_key,
        qualifiers.rule_set,
        qualifiers.condition_key,
        qualifiers.seed_row_id,
        qualifiers.qualifier,
        qualifiers.qualifier_kind,
        qualifiers.min_value,
        qualifiers.max_value,
        qualifiers.qualifier_name,
        qualifiers.qualifier_value,
        case qualifiers.qualifier_kind
            when 'range' then cast(case qualifiers.metric_column
                {%- for qualifier, spec in qualifier_catalogue().items() if spec.kind == 'range' %}
                when '{{ spec.metric }}' then {{ range_metric_value(spec, 'customers') }}
                {%- endfor %}
            end as {{ text }})
            when 'list' then coalesce(attribute_values.attribute_values, '(none)')
            when 'flag' then case when customers.has_sales then 'has sales' else 'no sales' end
            when 'relation' then case when referenced.customer_id is not null then 'member' else 'not a member' end
        end as customer_value,
        referenced.customer_id is not null as is_in_listed_group,
        case
            when qualifiers.qualifier_kind != 'relation' then passes.customer_evaluation_number is not null
            when qualifiers.qualifier in ('in_any_customer_group', 'in_all_customer_group')
                then referenced.customer_id is not null
            else referenced.customer_id is null
        end as row_passed
    from qualifiers
    cross join customers
    left join attribute_values
        on
            customers.customer_id = attribute_values.customer_id
            and customers.evaluation_date = attribute_values.evaluation_date
            and qualifiers.qualifier = attribute_values.attribute
            and (qualifiers.qualifier != 'metadata' or qualifiers.qualifier_name = attribute_values.attribute_name)
    left join passes
        on
            customers.customer_evaluation_number = passes.customer_evaluation_number
            and qualifiers.qualifier_row_number = passes.qualifier_row_number
    left join members as referenced
        on
            customers.customer_id = referenced.customer_id
            and customers.evaluation_date = referenced.evaluation_date
            and qualifiers.referenced_group_key = referenced.group_key

),

conditions as (

    select
        *,
        case
            when qualifier_kind = 'relation'
                then {{ relation_condition_holds(
                    'qualifier',
                    'sum(case when is_in_listed_group then 1 else 0 end) over (
                        partition by customer_id, evaluation_date, group_key, rule_set, condition_key
                    )',
                    'count(*) over (partition by customer_id, evaluation_date, group_key, rule_set, condition_key)'
                ) }}
            -- A range row is its own condition; rows of one list qualifier are alternatives.
            else max(case when row_passed then 1 else 0 end) over (
                partition by customer_id, evaluation_date, group_key, rule_set, condition_key
            ) = 1
        end as condition_passed
    from evaluated

),

rule_sets as (

    select
        *,
        min(case when condition_passed then 1 else 0 end) over (
            partition by customer_id, evaluation_date, group_key, rule_set
        ) = 1 as rule_set_passed
    from conditions

),

final as (

    select
        cast(rule_sets.customer_id as {{ text }}) as customer_id,
        cast(rule_sets.group_key as {{ text }}) as group_key,
        cast(rule_sets.rule_set as integer) as rule_set,
        cast(rule_sets.seed_row_id as {{ text }}) as qualifier_row_id,
        cast(rule_sets.qualifier as {{ text }}) as qualifier,
        cast(rule_sets.qualifier_kind as {{ text }}) as qualifier_kind,
        cast(rule_sets.customer_value as {{ text }}) as customer_value,
        cast(rule_sets.min_value as decimal(38, 12)) as min_value,
        cast(rule_sets.max_value as decimal(38, 12)) as max_value,
        cast(rule_sets.qualifier_name as {{ text }}) as expected_name,
        cast(rule_sets.qualifier_value as {{ text }}) as expected_value,
        cast(rule_sets.row_passed as boolean) as passed,
        cast(rule_sets.condition_passed as boolean) as condition_passed,
        cast(rule_sets.rule_set_passed as boolean) as rule_set_passed,
        cast(members.customer_id is not null as boolean) as is_member,
        cast(rule_sets.evaluation_date as date) as as_of_date
    from rule_sets
    left join members
        on
            rule_sets.customer_id = members.customer_id
            and rule_sets.evaluation_date = members.evaluation_date
            and rule_sets.group_key = members.group_key

)

select * from final
{% endmacro %}

{#- relation, or only its rows whose customer_id passes customer_filter. -#}
{% macro rows_of_customers(relation, customer_filter) -%}
    {%- if customer_filter is none -%}
        {{ relation }}
    {%- else -%}
        (select * from {{ relation }} where {{ customer_filter }})
    {%- endif -%}
{%- endmacro %}

{#- The rows of a per-date relation (columns customer_id, evaluation_date)
    on the dates of the caller's CTE explained_dates, for the customers
    customer_filter keeps. -#}
{% macro explained_rows_of(relation, customer_filter) -%}
    select customer_rows.*
    from {{ rows_of_customers(relation, customer_filter) }} as customer_rows
    inner join explained_dates
        on customer_rows.evaluation_date = explained_dates.evaluation_date
{%- endmacro %}
