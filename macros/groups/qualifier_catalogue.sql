{#-
    The catalogue of group qualifiers: every qualifier a seed row may name,
    its kind, and where its value comes from. Kinds:
      range     - a numeric metric column of customer_metrics, compared with
                  min_value / max_value (inclusive, empty = open)
      list      - values from int_customer_attributes_unioned (value, and for
                  metadata also name); rows of one list qualifier in a rule
                  set are alternatives
      flag      - a true/false fact, matched on `value`
      relation  - membership of other groups named in `value`
    subscription_dependent qualifiers fail for a customer who has never had a
    subscription, whatever their bounds.
    Adding a range qualifier = one line here + its column in customer_metrics.
-#}
{% macro qualifier_catalogue() %}
    {%- do return({
        'days_since_created': {'kind': 'range', 'metric': 'days_since_created'},
        'lifetime_value': {'kind': 'range', 'metric': 'lifetime_value'},
        'lifetime_refunded': {'kind': 'range', 'metric': 'lifetime_refunded'},
        'sales': {'kind': 'range', 'metric': 'sales'},
        'average_sale': {'kind': 'range', 'metric': 'average_sale'},
        'days_since_last_sale': {'kind': 'range', 'metric': 'days_since_last_sale'},
        'successful_sales': {'kind': 'range', 'metric': 'successful_sales'},
        'upsell_sales': {'kind': 'range', 'metric': 'upsell_sales'},
        'declined_sales': {'kind': 'range', 'metric': 'declined_sales'},
        'abandoned_sales': {'kind': 'range', 'metric': 'abandoned_sales'},
        'fraud_detections': {'kind': 'range', 'metric': 'fraud_detections'},
        'lifetime_chargeback': {'kind': 'range', 'metric': 'lifetime_chargeback'},
        'chargebacks': {'kind': 'range', 'metric': 'chargebacks'},
        'lifetime_paypal_dispute': {'kind': 'range', 'metric': 'lifetime_paypal_dispute'},
        'paypal_disputes': {'kind': 'range', 'metric': 'paypal_disputes'},
        'days_since_last_renewal': {'kind': 'range', 'metric': 'days_since_last_renewal', 'subscription_dependent': true},
        'renewals': {'kind': 'range', 'metric': 'renewals', 'subscription_dependent': true},
        'successful_renewals': {'kind': 'range', 'metric': 'successful_renewals', 'subscription_dependent': true},
        'overdue_renewals': {'kind': 'range', 'metric': 'overdue_renewals', 'subscription_dependent': true},
        'days_until_card_expiry': {'kind': 'range', 'metric': 'days_until_card_expiry'},
        'has_no_sales': {'kind': 'flag'},
        'campaign': {'kind': 'list'},
        'product_group': {'kind': 'list'},
        'shop': {'kind': 'list'},
        'subscription_status': {'kind': 'list', 'subscription_dependent': true},
        'metadata': {'kind': 'list', 'needs_name': true},
        'in_any_customer_group': {'kind': 'relation'},
        'in_all_customer_group': {'kind': 'relation'},
        'not_in_customer_group': {'kind': 'relation'},
        'not_in_any_customer_group': {'kind': 'relation'},
    }) -%}
{% endmacro %}

{#- The catalogue as rows (qualifier, qualifier_kind, metric_column,
    is_subscription_dependent, needs_name): what parsing joins the seed rows
    to, and what customer_group_qualifier_catalogue publishes. -#}
{% macro qualifier_catalogue_rows() %}
{% for qualifier, spec in qualifier_catalogue().items() %}
    select
        cast('{{ qualifier }}' as {{ dbt.type_string() }}) as qualifier,
        cast('{{ spec.kind }}' as {{ dbt.type_string() }}) as qualifier_kind,
        cast({{ "'" ~ spec.metric ~ "'" if spec.metric else 'null' }} as {{ dbt.type_string() }}) as metric_column,
        cast({{ 'true' if spec.get('subscription_dependent') else 'false' }} as boolean)
            as is_subscription_dependent,
        cast({{ 'true' if spec.get('needs_name') else 'false' }} as boolean) as needs_name
    {% if not loop.last %}union all{% endif %}
{% endfor %}
{% endmacro %}

{#- The value a range qualifier compares, from a row of
    int_customer_metrics_by_date aliased `metrics`: the metric as
    decimal(38, 12), NULL for a subscription-dependent metric of a customer
    who has never had a subscription (so it fails every bound). -#}
{#- The cast wraps the case: PostgreSQL's case drops a numeric's scale. -#}
{% macro range_metric_value(spec, metrics='metrics') -%}
    {%- if spec.get('subscription_dependent') -%}
        cast(case when {{ metrics }}.has_subscription then {{ metrics }}.{{ spec.metric }} end as decimal(38, 12))
    {%- else -%}
        cast({{ metrics }}.{{ spec.metric }} as decimal(38, 12))
    {%- endif -%}
{%- endmacro %}
