{#- Guards: explanations tell the same story as membership. For every
    enabled flexi rule group, a customer is a member exactly when one of the
    group's rule sets passed in customer_group_explanations, and the
    explanations' is_member says so too. Row outcomes there come from the
    same models as evaluation; this proves the two agree end to end. Checked
    on the hashed sample of customers of in_customer_test_sample (var
    `customer_test_sample_below`, default 1/64 of customers): the
    explanations view's rows come from macro customer_group_explanation_rows
    with the sample as its customer filter, which cuts every input before
    the joins, so the test reads a share of them on any warehouse. -#}
with

sampled_customers as (

    select customer_id
    from {{ ref('customer_metrics') }}
    where {{ in_customer_test_sample('customer_id') }}

),

flexi_rule_groups as (

    select group_key
    from {{ ref('customer_group_definitions') }}
    where is_enabled and qualifier_method != 'none' and recalculation = 'flexi'

),

explained as (

    select
        explanations.customer_id,
        explanations.group_key,
        max(case when explanations.rule_set_passed then 1 else 0 end) = 1 as any_rule_set_passed,
        max(case when explanations.is_member then 1 else 0 end) = 1 as is_member
    from ({{ customer_group_explanation_rows(in_customer_test_sample('customer_id')) }}) as explanations
    inner join flexi_rule_groups
        on explanations.group_key = flexi_rule_groups.group_key
    where explanations.as_of_date = {{ as_of_date() }}
    group by explanations.customer_id, explanations.group_key

),

members as (

    select
        memberships.customer_id,
        memberships.group_key
    from {{ ref('customer_group_memberships') }} as memberships
    inner join sampled_customers
        on memberships.customer_id = sampled_customers.customer_id
    inner join flexi_rule_groups
        on memberships.group_key = flexi_rule_groups.group_key

),

compared as (

    select
        coalesce(explained.customer_id, members.customer_id) as customer_id,
        coalesce(explained.group_key, members.group_key) as group_key,
        coalesce(explained.any_rule_set_passed, false) as any_rule_set_passed,
        coalesce(explained.is_member, false) as explained_as_member,
        members.customer_id is not null as is_in_memberships
    from explained
    full outer join members
        on
            explained.customer_id = members.customer_id
            and explained.group_key = members.group_key

)

select * from compared
where
    any_rule_set_passed != is_in_memberships
    or explained_as_member != is_in_memberships
