{#- The customer_groups seed with defaults applied and text parsed; the raw
    text is kept beside each parsed value so problems can quote it, and each
    row is named by its content (seed_row_identity). -#}
with

source as (

    select * from {{ ref('customer_groups') }}

),

identified as (

    select
        *,
        {{ seed_row_text([
            'group_key', 'name', 'description', 'enabled', 'qualifier_method', 'group_type',
            'recalculation', 'created_on', 'locked_on', 'badge_icon', 'priority',
        ]) }} as seed_row
    from source

),

parsed as (

    select
        seed_row,
        {{ seed_row_id('seed_row') }} as seed_row_id,
        {{ blank_to_null('group_key') }} as group_key,
        {{ blank_to_null('name') }} as group_name,
        {{ blank_to_null('description') }} as group_description,
        {{ blank_to_null('enabled') }} as enabled_text,
        {{ text_to_boolean('enabled', 'true') }} as is_enabled,
        coalesce(lower({{ blank_to_null('qualifier_method') }}), 'specific_values') as qualifier_method,
        coalesce(lower({{ blank_to_null('group_type') }}), 'segment') as group_type,
        coalesce(lower({{ blank_to_null('recalculation') }}), 'flexi') as recalculation,
        {{ blank_to_null('created_on') }} as created_on_text,
        {{ text_to_date(blank_to_null('created_on')) }} as created_on,
        {{ blank_to_null('locked_on') }} as locked_on_text,
        {{ text_to_date(blank_to_null('locked_on')) }} as locked_on,
        {{ blank_to_null('badge_icon') }} as badge_icon,
        {{ blank_to_null('priority') }} as priority_text,
        {{ text_to_integer(blank_to_null('priority')) }} as priority
    from identified

)

select * from parsed
