{#- The customer_group_qualifiers seed with defaults applied, bounds parsed,
    and each row's kind looked up in the qualifier catalogue. condition_key
    names the condition a row belongs to inside its rule set: each range row
    is its own condition (all must hold); rows of one list, flag or relation
    qualifier form one condition together. -#}
with

source as (

    select * from {{ ref('customer_group_qualifiers') }}

),

identified as (

    select
        *,
        {{ seed_row_text(['group_key', 'rule_set', 'qualifier', 'min_value', 'max_value', 'name', 'value']) }}
            as seed_row
    from source

),

catalogue as (

    {{ qualifier_catalogue_rows() }}

),

parsed as (

    select
        seed_row,
        {{ seed_row_id('seed_row') }} as seed_row_id,
        {{ blank_to_null('group_key') }} as group_key,
        {{ blank_to_null('rule_set') }} as rule_set_text,
        coalesce(
            {{ text_to_integer(blank_to_null('rule_set')) }},
            case when {{ blank_to_null('rule_set') }} is null then 1 end
        )
            as rule_set,
        lower({{ blank_to_null('qualifier') }}) as qualifier,
        {{ blank_to_null('min_value') }} as min_value_text,
        {{ blank_to_null('max_value') }} as max_value_text,
        {{ text_to_number(blank_to_null('min_value')) }} as min_value,
        {{ text_to_number(blank_to_null('max_value')) }} as max_value,
        -- Metadata names and values match exactly: only blank means "none".
        case when trim(name) != '' then cast(name as {{ dbt.type_string() }}) end as qualifier_name,
        case when trim(value) != '' then cast(value as {{ dbt.type_string() }}) end as qualifier_value
    from identified

),

final as (

    select
        parsed.*,
        -- Compact keys for the largest tables of group evaluation (see
        -- int_customer_group_qualifier_rows_passed).
        cast(row_number() over (order by parsed.seed_row_id) as integer) as qualifier_row_number,
        cast(dense_rank() over (order by parsed.group_key, parsed.rule_set) as integer) as rule_set_number,
        catalogue.qualifier_kind,
        catalogue.metric_column,
        coalesce(catalogue.is_subscription_dependent, false) as is_subscription_dependent,
        case
            when catalogue.qualifier_kind = 'range'
                then {{ dbt.concat(["'row '", "parsed.seed_row_id"]) }}
            else parsed.qualifier
        end as condition_key,
        -- Relation rows name a group: compare keys as trimmed text.
        case when catalogue.qualifier_kind = 'relation' then trim(parsed.qualifier_value) end as referenced_group_key
    from parsed
    left join catalogue
        on parsed.qualifier = catalogue.qualifier

)

select * from final
