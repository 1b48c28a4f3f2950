{#- How many different conditions (rows that read no other group, list
    alternatives counted once) one rule set may hold. Rule-set matching
    gives each condition one bit of a bigint word (bit_or over the passes;
    rule sets share a word when their slots fit), so 62 is the most whose
    mask still fits, and the bits of one word; the definition checks refuse
    more with a message that names the row. -#}
{% macro max_conditions_per_rule_set() -%}
    {{ return(62) }}
{%- endmacro %}
