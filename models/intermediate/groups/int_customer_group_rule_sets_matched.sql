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
    qualifier rows): each condition owns one bit, a pass sets its
    condition's bit (alternatives set the same one), and a rule set holds
    where all its bits are set. The rule sets share words: each gets a slot
    as wide as the largest rule set's conditions, as many slots to a bigint
    word as fit in max_conditions_per_rule_set() bits, so the aggregation
    groups by (customer, word) instead of (customer, rule set). At 1M
    customers and 200 groups (414 rule sets in 28 words, 283M passes) that
    took the matching from 37 s to 24 s on DuckDB: hashing fewer, denser
    groups. Counting distinct conditions instead needs a second pass or a
    DISTINCT aggregate, and splitting the passes into two CTEs made DuckDB
    materialize them (200 groups ran out of 4GB at 1M customers). Bits cap a
    rule set's conditions at max_conditions_per_rule_set(), which the
    definition checks enforce. Like the passes, a match is two integers: the
    customer on the date (customer_evaluation_number of
    int_customer_metrics_by_date) and the rule set (rule_set_number of
    int_customer_group_qualifiers_parsed); the models of
    evaluate_customer_groups_at_depth resolve them (why: see
    int_customer_group_qualifier_rows_passed). -#}
{%- set bits_per_word = max_conditions_per_rule_set() | int %}

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

-- Every slot is as wide as the largest rule set.
slot_layout as (

    select
        max(conditions) as slot_width,
        cast(floor({{ bits_per_word }} / max(conditions)) as integer) as slots_per_word
    from rule_sets

),

rule_set_positions as (

    select
        rule_sets.rule_set_number,
        rule_sets.conditions,
        slot_layout.slot_width,
        slot_layout.slots_per_word,
        dense_rank() over (order by rule_sets.rule_set_number) - 1 as rule_set_index
    from rule_sets
    cross join slot_layout

),

rule_set_slots as (

    select
        rule_set_number,
        conditions,
        cast(floor(rule_set_index / slots_per_word) as integer) as word_number,
        cast(mod(rule_set_index, slots_per_word) * slot_width as integer) as first_bit
    from rule_set_positions

),

rule_set_masks as (

    select
        rule_set_number,
        word_number,
        first_bit,
        (cast(power(2, conditions) as {{ dbt.type_bigint() }}) - 1)
        * cast(power(2, first_bit) as {{ dbt.type_bigint() }}) as all_conditions_bits
    from rule_set_slots

),

qualifier_rows as (

    select
        qualifiers.qualifier_row_number,
        masks.word_number,
        cast(power(2, masks.first_bit + dense_rank() over (
            partition by masks.rule_set_number
            order by qualifiers.condition_key
        ) - 1) as {{ dbt.type_bigint() }}) as condition_bit
    from qualifiers
    inner join rule_set_masks as masks
        on qualifiers.rule_set_number = masks.rule_set_number

),

passed_words as (

    select
        passes.customer_evaluation_number,
        qualifier_rows.word_number,
        bit_or(qualifier_rows.condition_bit) as passed_bits
    from {{ ref('int_customer_group_qualifier_rows_passed') }} as passes
    inner join qualifier_rows
        on passes.qualifier_row_number = qualifier_rows.qualifier_row_number
    group by
        passes.customer_evaluation_number,
        qualifier_rows.word_number

),

final as (

    select
        passed_words.customer_evaluation_number,
        masks.rule_set_number
    from passed_words
    inner join rule_set_masks as masks
        on
            passed_words.word_number = masks.word_number
            and (passed_words.passed_bits & masks.all_conditions_bits) = masks.all_conditions_bits

)

select * from final
