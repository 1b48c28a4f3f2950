{#- The stays of customer_group_membership_history as they stood at the end
    of the run's as_of_date: stays opened later are left out, and a stay
    closed later is still open (valid_to and exit_reason NULL). On the
    latest date processed this is the history itself; on an earlier date it
    lets a report be rebuilt for that day without future moves leaking in. -#}
{% macro membership_stays_as_of() -%}
    select
        stay_id,
        customer_id,
        group_key,
        valid_from,
        case when valid_to <= {{ as_of_date() }} then valid_to end as valid_to,
        entry_reason,
        case when valid_to <= {{ as_of_date() }} then exit_reason end as exit_reason
    from {{ ref('customer_group_membership_history') }}
    where valid_from <= {{ as_of_date() }}
{%- endmacro %}
