{#- The qualifier rows group evaluation reads: those of enabled groups that
    have rules (qualifier_method is not `none`); a disabled or manual group's
    rows are never evaluated. With include_relations=false, only the rows
    decided without other groups (range, list, flag). Rule-row matching,
    rule-set matching and the explanations all read the rows from here. -#}
{% macro rule_group_qualifier_rows(include_relations=true) -%}
    select qualifiers.*
    from {{ ref('int_customer_group_qualifiers_parsed') }} as qualifiers
    inner join {{ ref('int_customer_group_definitions_checked') }} as definitions
        on qualifiers.group_key = definitions.group_key
    where
        definitions.is_enabled
        and definitions.qualifier_method != 'none'
        {%- if not include_relations %}
        and qualifiers.qualifier_kind != 'relation'
        {%- endif %}
{%- endmacro %}
