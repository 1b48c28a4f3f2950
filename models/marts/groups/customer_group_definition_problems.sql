{#- Every problem found in the group definition seeds, one row each (empty
    when the build went on). Found in
    int_customer_group_definition_problems_found, whose rows stop the build
    before evaluation. -#}
with

definition_problems as (

    select * from {{ ref('int_customer_group_definition_problems_found') }}

),

final as (

    select
        seed_name,
        seed_row,
        seed_row_id,
        group_key,
        rule_set,
        qualifier,
        problem
    from definition_problems

)

select * from final
