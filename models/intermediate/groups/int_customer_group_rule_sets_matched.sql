{#- For every rule set of an enabled rule group and evaluation date, the
    customers who pass on that date all of its conditions that do not depend
    on other groups, from the qualifier rows they pass
    (int_customer_group_qualifier_rows_passed; rows of one list qualifier
    are alternatives, so a condition counts once). A rule set with relation
    conditions still needs those (evaluated by the models of
    evaluate_customer_groups_at_depth); a rule set with none holds for
    exactly these customers. Rule sets made only of relation conditions have
    no rows here.

    One aggregation over the passes, which at scale are many (customers x
    qualifier rows): each condition of a rule set owns one bit, a pass sets
    its condition's bit (alternatives set the same one), and the rule set
    holds where all its bits are set. Counting distinct conditions instead
    needs a second pass or a DISTINCT aggregate, and splitting the passes
    into two CTEs made DuckDB materialize them: 200 groups ran out of 4GB at
    1M customers. Bits cap a rule set's conditions at
    max_conditions_per_rule_set(), which the definition checks enforce.
    Like the passes, a match is two integers: the customer on the date
    (customer_evaluation_number of int_customer_metrics_by_date) and the
    rule set (rule_set_number of int_customer_group_qualifiers_parsed); the
    models of evaluate_customer_groups_at_depth resolve them (why: see
    int_customer_group_qualifier_rows_passed). -#}
with

qualifiers as (

    {{ rule_group_qualifier_rows(include_relations=false) }}

),

rule_sets as (

    select
        rule_set_number,
        count(distinct condition_key) as conditions
    from qualifiers
    group by rule_set_number

),

qualifier_rows as (

    select
        qualifiers.qualifier_row_number,
        rule_sets.rule_set_number,
        cast(power(2, rule_sets.conditions) as {{ dbt.type_bigint() }}) - 1 as all_conditions_bits,
        cast(power(2, dense_rank() over (
            partition by rule_sets.rule_set_number
            order by qualifiers.condition_key
        ) - 1) as {{ dbt.type_bigint() }}) as condition_bit
    from qualifiers
    inner join rule_sets
        on qualifiers.rule_set_number = rule_sets.rule_set_number

),

matched as (

    select
        passes.customer_evaluation_number,
        qualifier_rows.rule_set_number
    from {{ ref('int_customer_group_qualifier_rows_passed') }} as passes
    inner join qualifier_rows
        on passes.qualifier_row_number = qualifier_rows.qualifier_row_number
    group by
        passes.customer_evaluation_number,
        qualifier_rows.rule_set_number,
        qualifier_rows.all_conditions_bits
    having bit_or(qualifier_rows.condition_bit) = qualifier_rows.all_conditions_bits

),

final as (

    select
        customer_evaluation_number,
        rule_set_number
    from matched

)

select * from final
