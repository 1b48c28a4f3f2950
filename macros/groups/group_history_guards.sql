{#- True when this run replays past dates on purpose (scripts/backfill.py):
    var backfill, or a range given by var backfill_start_date. -#}
{% macro is_backfill_run() -%}
    {{ return(var('backfill', false) in [true, 'true', 'True', 1, '1'] or run_start_date_string() != as_of_date_string()) }}
{%- endmacro %}

{#- The models that hold the state kept across runs (marts/history). -#}
{% macro customer_group_state_models() -%}
    {{ return([
        'customer_group_membership_history', 'customer_group_events',
        'customer_group_frozen_members', 'customer_group_run_log',
    ]) }}
{%- endmacro %}

{#-
    on-run-start: stops a run that would write history before any model is
    built, when
    - an earlier run did not finish: the history, events or frozen lists
      hold writes for a date the run log does not record as completed (a
      run killed or failed part-way; its events may be missing). Only a run
      for that date (which rolls it back and redoes it) or a backfill from
      that date or earlier may go on; any other stops, naming the date to
      run;
    - its as_of_date is earlier than the last date processed (history only
      moves forward, except in a backfill, which replays on purpose).
    The churn guard needs this run's evaluation, so it is a model of its own
    (int_customer_group_removals_checked) that every published mart waits
    for.
-#}
{% macro guard_customer_group_run() %}
    {%- if not execute or flags.WHICH not in ['run', 'build'] -%}{{ return('') }}{%- endif -%}
    {%- set state_models = customer_group_state_models() -%}
    {%- set writes_state = [] -%}
    {%- for unique_id in selected_resources if unique_id.split('.')[-1] in state_models
        and unique_id.startswith('model.') -%}
        {%- do writes_state.append(unique_id) -%}
    {%- endfor -%}
    {%- if not writes_state -%}{{ return('') }}{%- endif -%}

    {%- set run_date = as_of_date_string() -%}
    {%- set start_date = run_start_date_string() -%}
    {%- set run_log = previous_run_relation('customer_group_run_log') -%}
    {%- set completed = none -%}
    {%- if run_log is not none -%}
        {%- set completed = run_query(
            "select cast(max(as_of_date) as " ~ dbt.type_string() ~ ") from " ~ run_log
        ).columns[0].values()[0] -%}
    {%- endif -%}

    {%- set written = [] -%}
    {%- set unfinished = [] -%}
    {%- for model_name, columns in [
        ('customer_group_membership_history', ['valid_from', 'valid_to']),
        ('customer_group_events', ['occurred_on']),
        ('customer_group_frozen_members', ['frozen_on']),
    ] -%}
        {%- set relation = previous_run_relation(model_name) -%}
        {%- if relation is not none -%}
            {%- for column in columns -%}
                {%- set found = run_query(
                    "select cast(max(" ~ column ~ ") as " ~ dbt.type_string() ~ "), cast(min(case when "
                    ~ (column ~ " > cast('" ~ completed ~ "' as date)" if completed else "true")
                    ~ " then " ~ column ~ " end) as " ~ dbt.type_string() ~ ") from " ~ relation
                ).rows[0] -%}
                {%- if found[0] is not none -%}{%- do written.append(found[0]) -%}{%- endif -%}
                {%- if found[1] is not none -%}{%- do unfinished.append(found[1]) -%}{%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set reached = (written | max) if written else none -%}
    {%- set unfinished_from = (unfinished | min) if unfinished else none -%}

    {%- if unfinished_from is not none and start_date > unfinished_from -%}
        {%- set days = unfinished_from if unfinished_from == reached else unfinished_from ~ " to " ~ reached -%}
        {{ exceptions.raise_compiler_error(
            "The run for " ~ days ~ " did not finish: history, events or frozen lists hold writes for "
            ~ days ~ " but the run log does not record it as completed"
            ~ (" (last completed: " ~ completed ~ ")" if completed else
                " (no run log at " ~ state_model_relation('customer_group_run_log') ~ "; if it was moved, move it back)")
            ~ ", so events may be missing. Run it again first; that completes it:\n"
            ~ ("  dbt build --vars '{as_of_date: \"" ~ reached ~ "\"}'\n" if unfinished_from == reached else
                "  python scripts/backfill.py --start " ~ unfinished_from ~ " --end " ~ reached ~ "\n")
            ~ "then this date (" ~ run_date ~ "). Nothing was written."
        ) }}
    {%- endif -%}

    {%- set last = ([completed, reached] | reject('none') | list | max) if (completed or reached) else none -%}
    {%- if last is not none and start_date < last and not is_backfill_run() -%}
        {{ exceptions.raise_compiler_error(
            "as_of_date " ~ start_date ~ " is earlier than the last date processed, " ~ last
            ~ ". History only moves forward; to replay past dates on purpose run"
            ~ " scripts/backfill.py --start " ~ start_date ~ " --end " ~ last ~ "."
        ) }}
    {%- endif -%}
    {{ return('') }}
{% endmacro %}

{#- The members each group had at the start of this run's first date (open
    stays of the history before it), for the churn guard. Empty on a first
    run. -#}
{% macro members_before_run_sql() -%}
    {%- set history = previous_run_relation('customer_group_membership_history') -%}
    {%- if history is not none -%}
    select
        customer_id,
        group_key
    from {{ history }}
    where valid_from < {{ run_start_date() }} and (valid_to is null or valid_to >= {{ run_start_date() }})
    {%- else -%}
    select
        cast(null as {{ dbt.type_string() }}) as customer_id,
        cast(null as {{ dbt.type_string() }}) as group_key
    where 1 = 0
    {%- endif -%}
{%- endmacro %}

{#- Post-hook of int_customer_group_removals_checked: stops the run, before
    any mart is replaced, when it would remove too many members of a group
    (see that model). -#}
{% macro raise_on_mass_removal() %}
    {%- if not execute -%}{{ return('') }}{%- endif -%}
    {%- set offenders = [] -%}
    {%- for row in run_query(
        "select group_key, members_before, members_removed from " ~ this
        ~ " where is_mass_removal and not is_allowed order by group_key"
    ).rows -%}
        {%- do offenders.append(
            "  - group '" ~ row['group_key'] ~ "': would remove " ~ row['members_removed'] ~ " of its "
            ~ row['members_before'] ~ " members (" ~ ((100.0 * row['members_removed'] / row['members_before']) | round(1)) ~ "%)"
        ) -%}
    {%- endfor -%}
    {%- if offenders -%}
        {%- set run_date = as_of_date_string() -%}
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

{#- Rolls an incremental state table back to the start of this run's first
    date (drops what runs for that date or later wrote), so the model can
    apply this run's changes on top: a rerun of a date, or a backfill
    replaying from it, gives what a single run would. -#}
{% macro roll_back_from_run_start(date_column, reopen_column=none) %}
    {%- if not execute or not is_incremental() -%}{{ return('') }}{%- endif -%}
    {{ return(adapter.dispatch('roll_back_from_run_start', 'customer_groups')(date_column, reopen_column)) }}
{% endmacro %}

{% macro default__roll_back_from_run_start(date_column, reopen_column) %}
    delete from {{ this }} where {{ date_column }} >= {{ run_start_date() }};
    {%- if reopen_column %}
    update {{ this }}
    set {{ reopen_column }} = null, exit_reason = null
    where {{ reopen_column }} >= {{ run_start_date() }};
    {%- endif %}
{% endmacro %}

{#- Spark runs one statement per hook: the delete and the reopening are one
    MERGE (Iceberg) on the model's unique_key. -#}
{% macro spark__roll_back_from_run_start(date_column, reopen_column) %}
    {%- if not reopen_column -%}
    delete from {{ this }} where {{ date_column }} >= {{ run_start_date() }}
    {%- else -%}
    {%- set key = config.get('unique_key') -%}
    {%- if not key or key is not string -%}
        {{ exceptions.raise_compiler_error("roll_back_from_run_start on Spark reopens rows by the model's unique_key (one column); " ~ this ~ " has " ~ key) }}
    {%- endif -%}
    merge into {{ this }} as kept
    using (
        select {{ key }}, {{ date_column }} >= {{ run_start_date() }} as is_rolled_back
        from {{ this }}
        where {{ date_column }} >= {{ run_start_date() }} or {{ reopen_column }} >= {{ run_start_date() }}
    ) as changed
        on kept.{{ key }} = changed.{{ key }}
    when matched and changed.is_rolled_back then delete
    when matched then update set {{ reopen_column }} = null, exit_reason = null
    {%- endif -%}
{% endmacro %}

{#- The incremental strategy of the history models that replace rows by
    unique_key: delete+insert where the adapter has it, MERGE on Spark
    (Iceberg tables). -#}
{% macro upsert_incremental_strategy() %}
    {{ return(adapter.dispatch('upsert_incremental_strategy', 'customer_groups')()) }}
{% endmacro %}

{% macro default__upsert_incremental_strategy() %}{{ return('delete+insert') }}{% endmacro %}

{% macro spark__upsert_incremental_strategy() %}{{ return('merge') }}{% endmacro %}

{#- Group keys given in vars as a SQL list of literals; anything that is not
    a group key (lower snake case) stops the run rather than reach SQL. -#}
{% macro sql_string_list(keys) -%}
    {%- for key in keys -%}
        {%- if not modules.re.match('^[a-z0-9_]+$', key | string) -%}
            {{ exceptions.raise_compiler_error("'" ~ key ~ "' is not a group key (lower snake case)") }}
        {%- endif -%}
        '{{ key }}'{% if not loop.last %}, {% endif %}
    {%- endfor -%}
{%- endmacro %}
