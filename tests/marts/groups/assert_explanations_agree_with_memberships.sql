{#- Guards: explanations tell the same story as membership. For every
    enabled flexi rule group, a customer is a member exactly when one of the
    group's rule sets passed in customer_group_explanations, and the
    explanations' is_member says so too. Row outcomes there come from the
    same models as evaluation; this proves the two agree end to end. Checked
    on the hashed sample of customers of in_customer_test_sample (var
    `customer_test_sample_below`, default 1/64 of customers, at most about
    `customer_test_sample_max_customers`): the explanations view's rows
    come from macro customer_group_explanation_rows with the sample as its
    customer filter, which cuts every input before the joins, and the
    memberships are filtered by the same predicate. The two sides are
    stacked and aggregated per customer and group, one read of each. -#}
{%- set in_sample = in_customer_test_sample('customer_id') %}
with

flexi_rule_groups as (

    select group_key
    from {{ ref('customer_group_definitions') }}
    where is_enabled and qualifier_method != 'none' and recalculation = 'flexi'

),

both_sides as (

    select
        explanations.customer_id,
        explanations.group_key,
        case when explanations.rule_set_passed then 1 else 0 end as rule_set_passed,
        case when explanations.is_member then 1 else 0 end as explained_as_member,
        0 as in_memberships
    from ({{ customer_group_explanation_rows(in_sample) }}) as explanations
    where explanations.as_of_date = {{ as_of_date() }}

    union all

    select
        memberships.customer_id,
        memberships.group_key,
        0 as rule_set_passed,
        0 as explained_as_member,
        1 as in_memberships
    from {{ ref('customer_group_memberships') }} as memberships
    where {{ in_sample }}

),

compared as (

    select
        both_sides.customer_id,
        both_sides.group_key,
        max(both_sides.rule_set_passed) = 1 as any_rule_set_passed,
        max(both_sides.explained_as_member) = 1 as explained_as_member,
        max(both_sides.in_memberships) = 1 as is_in_memberships
    from both_sides
    inner join flexi_rule_groups
        on both_sides.group_key = flexi_rule_groups.group_key
    group by both_sides.customer_id, both_sides.group_key

)

select * from compared
where
    any_rule_set_passed != is_in_memberships
    or explained_as_member != is_in_memberships
