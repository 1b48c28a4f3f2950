{#- A view: customers x groups x qualifier rows is too large to store, and
    it is read one customer at a time. Its SQL is the macro
    customer_group_explanation_rows, which the explain_customer operation,
    the tests and the card-number scan call with a filter on customers. -#}
{{ config(materialized='view', meta={'customer_sample_macro': 'customer_group_explanation_rows'}) }}
-- Published only once the churn guard passed (docs/architecture.md).
-- depends_on: {{ ref('int_customer_group_removals_checked') }}
{{ customer_group_explanation_rows() }}
