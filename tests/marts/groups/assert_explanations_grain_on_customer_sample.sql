{#- The grain of customer_group_explanations: one row per customer, group,
    qualifier row and date, none of its key or outcome columns NULL. Read on
    the hashed sample of customers of in_customer_test_sample, through
    macro customer_group_explanation_rows (the view's SQL) with the sample
    as its customer filter: a test of the view itself would build every
    customer's inputs. Returns each offending key with its problem. -#}
-- depends_on: {{ ref('customer_group_explanations') }}
with

explained as (

    {{ customer_group_explanation_rows(in_customer_test_sample('customer_id')) }}

),

-- One read of the rows (a second would keep them all in memory).
checked as (

    select
        customer_id,
        group_key,
        qualifier_row_id,
        as_of_date,
        count(*) as rows_with_key,
        max(
            case
                when
                    customer_id is null
                    or group_key is null
                    or qualifier_row_id is null
                    or as_of_date is null
                    or passed is null
                    or condition_passed is null
                    or rule_set_passed is null
                    or is_member is null
                    then 1
                else 0
            end
        ) as has_null
    from explained
    group by customer_id, group_key, qualifier_row_id, as_of_date

)

select
    customer_id,
    group_key,
    qualifier_row_id,
    as_of_date,
    case
        when has_null = 1 then 'a key or outcome column is NULL'
        else 'the key repeats'
    end as problem,
    rows_with_key
from checked
where rows_with_key > 1 or has_null = 1
