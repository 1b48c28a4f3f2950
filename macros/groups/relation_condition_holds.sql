{#- Whether a relation condition holds, given how many of the groups it
    lists the customer is in: the one statement of the four relation
    qualifiers' meaning, used by group evaluation and by the explanations.
    not_in_customer_group keeps RevCent's meaning: not in at least one of
    the listed groups. -#}
{% macro relation_condition_holds(qualifier, listed_groups_in, listed_groups) -%}
    (
        ({{ qualifier }} = 'in_any_customer_group' and {{ listed_groups_in }} >= 1)
        or ({{ qualifier }} = 'in_all_customer_group' and {{ listed_groups_in }} = {{ listed_groups }})
        or ({{ qualifier }} = 'not_in_customer_group' and {{ listed_groups_in }} < {{ listed_groups }})
        or ({{ qualifier }} = 'not_in_any_customer_group' and {{ listed_groups_in }} = 0)
    )
{%- endmacro %}
