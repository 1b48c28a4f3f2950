{#- Every clean manual action taken by as_of_date, and whether it counts.
    Manual actions decide `none` groups and edit fixed segments and audiences
    from created_on on (audiences: only before locked_on). Actions on flexi
    rule groups (recomputed from their rules), unknown or disabled groups are
    ignored and counted here. -#}
with

actions as (

    {{ clean_rows_as_of('int_customer_group_actions_validated') }}

),

definitions as (

    select * from {{ ref('int_customer_group_definitions_checked') }}

),

classified as (

    select
        actions.customer_group_action_id,
        actions.customer_id,
        actions.group_key,
        actions.action,
        actions.actor,
        actions.created_at,
        actions.created_date,
        case
            when definitions.group_key is null then 'ignored_unknown_group'
            when not definitions.is_enabled then 'ignored_disabled_group'
            when definitions.qualifier_method = 'none' then 'applied'
            when definitions.recalculation = 'flexi' then 'ignored_flexi_rule_group'
            when actions.created_date < definitions.created_on then 'ignored_before_created_on'
            when actions.created_date >= definitions.locked_on then 'ignored_audience_locked'
            else 'applied'
        end as outcome
    from actions
    left join definitions
        on actions.group_key = definitions.group_key

),

final as (

    select
        cast(customer_group_action_id as {{ dbt.type_string() }}) as customer_group_action_id,
        cast(customer_id as {{ dbt.type_string() }}) as customer_id,
        cast(group_key as {{ dbt.type_string() }}) as group_key,
        cast(action as {{ dbt.type_string() }}) as action,
        cast(actor as {{ dbt.type_string() }}) as actor,
        cast(created_at as timestamp) as acted_at,
        cast(created_date as date) as acted_on,
        cast(outcome as {{ dbt.type_string() }}) as outcome,
        {{ as_of_date() }} as as_of_date
    from classified

)

select * from final
