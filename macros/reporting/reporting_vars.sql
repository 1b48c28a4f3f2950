{#- Vars of the reporting marts, checked, so a typo stops the run with a
    message instead of giving an empty or wrong report. -#}

{#- transition_window_days (default 30): how many days after leaving group
    A a customer may enter group B for it to count as a transition A -> B. -#}
{% macro transition_window_days() -%}
    {%- set configured = var('transition_window_days', 30) -%}
    {%- set text = configured | string | trim -%}
    {%- if not modules.re.match('^[0-9]+$', text) -%}
        {{ exceptions.raise_compiler_error(
            "var transition_window_days must be a whole number of days (0 or more), got '" ~ text ~ "'"
        ) }}
    {%- endif -%}
    {{ return(text | int) }}
{%- endmacro %}

{#- recovery_group_keys (default [payment_recovery, high_value_recovery]):
    the groups whose stays payment_recovery_outcomes follows. A single key
    may be given as a string. -#}
{% macro recovery_group_keys() -%}
    {%- set configured = var('recovery_group_keys', ['payment_recovery', 'high_value_recovery']) -%}
    {%- set keys = [configured] if configured is string else configured -%}
    {%- if keys | length == 0 -%}
        {{ exceptions.raise_compiler_error("var recovery_group_keys must name at least one group") }}
    {%- endif -%}
    {%- for key in keys -%}
        {%- if not modules.re.match('^[a-z0-9_]+$', key | string) -%}
            {{ exceptions.raise_compiler_error(
                "var recovery_group_keys: '" ~ key ~ "' is not a group key (lower snake case)"
            ) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(keys) }}
{%- endmacro %}

{#- The recovery group keys as a SQL list: ('payment_recovery', ...). -#}
{% macro recovery_group_keys_sql() -%}
    ({%- for key in recovery_group_keys() -%}'{{ key }}'{%- if not loop.last %}, {% endif -%}{%- endfor -%})
{%- endmacro %}

{#- do_not_contact_group_key (default do_not_contact): members of this group
    may never be contacted (customer_360.may_be_contacted). -#}
{% macro do_not_contact_group_key() -%}
    {%- set key = var('do_not_contact_group_key', 'do_not_contact') | string | trim -%}
    {%- if not modules.re.match('^[a-z0-9_]+$', key) -%}
        {{ exceptions.raise_compiler_error("var do_not_contact_group_key: '" ~ key ~ "' is not a group key") }}
    {%- endif -%}
    {{ return(key) }}
{%- endmacro %}

{#- trial_group_key (default trial_conversion): the group whose stays mark a
    customer as a trial taker for trial_conversion_rate. -#}
{% macro trial_group_key() -%}
    {%- set key = var('trial_group_key', 'trial_conversion') | string | trim -%}
    {%- if not modules.re.match('^[a-z0-9_]+$', key) -%}
        {{ exceptions.raise_compiler_error("var trial_group_key: '" ~ key ~ "' is not a group key") }}
    {%- endif -%}
    {{ return(key) }}
{%- endmacro %}
