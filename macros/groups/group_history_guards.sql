{#- True when this run replays a past date on purpose (scripts/backfill.py). -#}
{% macro is_backfill_run() -%}
    {{ return(var('backfill', false) in [true, 'true', 'True', 1, '1']) }}
{%- endmacro %}

{#-
    Stops a run before it touches history when it must not:
    - its as_of_date is earlier than the last date processed (history only
      moves forward, except in a backfill, which replays on purpose);
    - it would remove more than var churn_guard_max_removed_share (default
      0.5) of the members of a group above var churn_guard_min_members
      (default 100): a bad load must not fire thousands of removal events.
      var allow_mass_removal (true, or a list of group keys) lets it through;
      var churn_guard_exempt_groups lists groups whose members all leave
      together by design (card_update_needed empties on the 1st of a month).
-#}
{% macro guard_customer_group_history() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set run_log = previous_run_relation('customer_group_run_log') -%}
    {%- set run_date = as_of_date_string() -%}
    {%- if run_log is not none and not is_backfill_run() -%}
        {%- set last = run_query("select cast(max(as_of_date) as " ~ dbt.type_string() ~ ") from " ~ run_log).columns[0].values()[0] -%}
        {%- if last is not none and run_date < last -%}
            {{ exceptions.raise_compiler_error(
                "as_of_date " ~ run_date ~ " is earlier than the last date processed, " ~ last
                ~ ". History only moves forward; to replay past dates on purpose run"
                ~ " scripts/backfill.py --start " ~ run_date ~ " --end " ~ last ~ "."
            ) }}
        {%- endif -%}
    {%- endif -%}

    {%- set history = previous_run_relation('customer_group_membership_history') -%}
    {%- set allowed = var('allow_mass_removal', false) -%}
    {%- if history is none or is_backfill_run() or allowed in [true, 'true', 'True'] -%}
        {{ return('') }}
    {%- endif -%}
    {%- set allowed_groups = (allowed if allowed is iterable and allowed is not string else [])
        + var('churn_guard_exempt_groups', []) -%}
    {%- set churn_sql -%}
        with
        base as (
            select customer_id, group_key
            from {{ history }}
            where valid_from < {{ as_of_date() }} and (valid_to is null or valid_to >= {{ as_of_date() }})
        ),
        current_members as (
            select customer_id, group_key from {{ ref('int_customer_groups_evaluated') }}
        ),
        definitions as (
            select group_key from {{ ref('customer_group_definitions') }} where is_enabled
        ),
        counts as (
            select
                base.group_key,
                count(*) as members_before,
                sum(case when current_members.customer_id is null then 1 else 0 end) as members_removed
            from base
            inner join definitions on base.group_key = definitions.group_key
            left join current_members
                on base.customer_id = current_members.customer_id and base.group_key = current_members.group_key
            group by base.group_key
        )
        select group_key, members_before, members_removed
        from counts
        where
            members_before > {{ var('churn_guard_min_members', 100) }}
            and members_removed > {{ var('churn_guard_max_removed_share', 0.5) }} * members_before
        order by group_key
    {%- endset -%}
    {%- set offenders = [] -%}
    {%- for row in run_query(churn_sql).rows if row['group_key'] not in allowed_groups -%}
        {%- do offenders.append(
            "  - group '" ~ row['group_key'] ~ "': would remove " ~ row['members_removed'] ~ " of its "
            ~ row['members_before'] ~ " members (" ~ ((100.0 * row['members_removed'] / row['members_before']) | round(1)) ~ "%)"
        ) -%}
    {%- endfor -%}
    {%- if offenders -%}
        {{ exceptions.raise_compiler_error(
            "Churn guard: the run for " ~ run_date ~ " would remove more than "
            ~ (100 * var('churn_guard_max_removed_share', 0.5)) ~ "% of the members of groups above "
            ~ var('churn_guard_min_members', 100) ~ " members:\n" ~ offenders | join('\n')
            ~ "\nNothing was written. If the change is real, run again with --vars '{as_of_date: " ~ run_date
            ~ ", allow_mass_removal: true}' (or a list of group keys)."
        ) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#- Rolls an incremental state table back to the start of this run's date
    (drops what runs for this date or later wrote), so the model can apply
    this date's changes on top: a rerun of a date, or a backfill replaying
    from it, gives what a single run would. -#}
{% macro roll_back_from_as_of_date(date_column, reopen_column=none) %}
    {%- if not execute or not is_incremental() -%}{{ return('') }}{%- endif -%}
    delete from {{ this }} where {{ date_column }} >= {{ as_of_date() }};
    {%- if reopen_column %}
    update {{ this }}
    set {{ reopen_column }} = null, exit_reason = null
    where {{ reopen_column }} >= {{ as_of_date() }};
    {%- endif %}
{% endmacro %}
