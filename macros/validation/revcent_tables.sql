{#-
    The catalogue of raw RevCent tables: what identifies a row, how versions
    are ordered, and which checks decide that a row is clean. One entry per
    table; the validation macro, the quarantine model and the row accounting
    all read it, so a rule is written once. Column names are the staged ones.
    docs/data_quality.md explains the rules in words.
-#}
{% macro revcent_tables() %}
    {%- set customer_ref = {'column': 'customer_id', 'model': 'int_customers_validated', 'reason': 'dangling_customer', 'required': true} -%}
    {%- set sale_ref = {'column': 'sale_id', 'model': 'int_sales_validated', 'reason': 'dangling_sale', 'required': true} -%}
    {%- do return({
        'customer': {
            'staging_model': 'stg_revcent__customers',
            'validated_model': 'int_customers_validated',
            'key': 'customer_id',
            'version_column': 'updated_at',
            'timestamp_column': 'created_at',
            'columns': ['customer_id', 'first_name', 'last_name', 'email', 'phone', 'address_line_1', 'city', 'state', 'zip', 'country', 'company', 'is_enabled', 'has_marketing_consent', 'created_at', 'updated_at'],
        },
        'customer_metadata': {
            'staging_model': 'stg_revcent__customer_metadata',
            'validated_model': 'int_customer_metadata_validated',
            'key': 'metadata_row_key',
            'timestamp_column': 'created_at',
            'required_columns': ['metadata_name'],
            'columns': ['metadata_row_key', 'customer_id', 'metadata_name', 'metadata_value', 'created_at'],
            'references': [customer_ref],
        },
        'sale': {
            'staging_model': 'stg_revcent__sales',
            'validated_model': 'int_sales_validated',
            'key': 'sale_id',
            'version_column': 'updated_at',
            'timestamp_column': 'created_at',
            'enums': {'sale_status': ['success', 'declined', 'abandoned', 'void']},
            'amount_columns': ['amount_gross', 'amount_net'],
            'has_currency': true,
            'columns': ['sale_id', 'customer_id', 'campaign_id', 'third_party_shop_id', 'sale_status', 'is_upsell', 'amount_gross', 'amount_net', 'iso_currency', 'created_at', 'updated_at'],
            'references': [customer_ref],
        },
        'product': {
            'staging_model': 'stg_revcent__products',
            'validated_model': 'int_products_validated',
            'key': 'product_id',
            'columns': ['product_id', 'product_name', 'sku', 'product_group_id'],
        },
        'product_sale': {
            'staging_model': 'stg_revcent__product_sales',
            'validated_model': 'int_product_sales_validated',
            'key': 'product_sale_id',
            'amount_columns': ['amount'],
            'columns': ['product_sale_id', 'sale_id', 'product_id', 'quantity', 'amount'],
            'references': [
                sale_ref,
                {'column': 'product_id', 'model': 'int_products_validated', 'reason': 'dangling_product', 'required': true},
            ],
        },
        'refund': {
            'staging_model': 'stg_revcent__refunds',
            'validated_model': 'int_refunds_validated',
            'key': 'refund_id',
            'timestamp_column': 'created_at',
            'amount_columns': ['amount'],
            'has_currency': true,
            'columns': ['refund_id', 'customer_id', 'sale_id', 'subscription_renewal_id', 'amount', 'iso_currency', 'created_at'],
            'references': [
                customer_ref,
                {'column': 'sale_id', 'model': 'int_sales_validated', 'reason': 'dangling_sale', 'required': false},
                {'column': 'subscription_renewal_id', 'model': 'int_subscription_renewals_validated', 'reason': 'dangling_subscription_renewal', 'required': false},
            ],
        },
        'subscription': {
            'staging_model': 'stg_revcent__subscriptions',
            'validated_model': 'int_subscriptions_validated',
            'key': 'subscription_id',
            'version_column': 'updated_at',
            'timestamp_column': 'created_at',
            'enums': {'subscription_status': ['active', 'trial', 'overdue', 'occurrence_limit', 'suspended', 'cancelled']},
            'columns': ['subscription_id', 'customer_id', 'product_id', 'subscription_status', 'created_at', 'updated_at'],
            'references': [customer_ref],
        },
        'subscription_renewal': {
            'staging_model': 'stg_revcent__subscription_renewals',
            'validated_model': 'int_subscription_renewals_validated',
            'key': 'subscription_renewal_id',
            'timestamp_column': 'created_at',
            'enums': {'renewal_status': ['success', 'overdue']},
            'amount_columns': ['amount_total'],
            'has_currency': true,
            'columns': ['subscription_renewal_id', 'subscription_id', 'customer_id', 'renewal_status', 'amount_total', 'iso_currency', 'created_at'],
            'references': [
                customer_ref,
                {'column': 'subscription_id', 'model': 'int_subscriptions_validated', 'reason': 'dangling_subscription', 'required': true},
            ],
        },
        'chargeback': {
            'staging_model': 'stg_revcent__chargebacks',
            'validated_model': 'int_chargebacks_validated',
            'key': 'chargeback_id',
            'timestamp_column': 'created_at',
            'amount_columns': ['amount'],
            'has_currency': true,
            'columns': ['chargeback_id', 'customer_id', 'sale_id', 'amount', 'iso_currency', 'reason_code', 'created_at'],
            'references': [customer_ref, sale_ref],
        },
        'paypal_dispute': {
            'staging_model': 'stg_revcent__paypal_disputes',
            'validated_model': 'int_paypal_disputes_validated',
            'key': 'paypal_dispute_id',
            'timestamp_column': 'created_at',
            'amount_columns': ['amount'],
            'has_currency': true,
            'columns': ['paypal_dispute_id', 'customer_id', 'sale_id', 'amount', 'iso_currency', 'created_at'],
            'references': [customer_ref, sale_ref],
        },
        'fraud_detection': {
            'staging_model': 'stg_revcent__fraud_detections',
            'validated_model': 'int_fraud_detections_validated',
            'key': 'fraud_detection_id',
            'timestamp_column': 'created_at',
            'enums': {'detection_method': ['sale_create', 'subscription_renew', 'trial_expire', 'salvage_transaction_process']},
            'columns': ['fraud_detection_id', 'customer_id', 'detection_method', 'created_at'],
            'references': [customer_ref],
        },
        'customer_card': {
            'staging_model': 'stg_revcent__customer_cards',
            'validated_model': 'int_customer_cards_validated',
            'key': 'customer_card_id',
            'timestamp_column': 'created_at',
            'card_expiry': true,
            'columns': ['customer_card_id', 'customer_id', 'card_type', 'card_bin', 'card_last_4', 'exp_month', 'exp_year', 'is_default', 'is_enabled', 'created_at'],
            'references': [customer_ref],
        },
        'customer_group_action': {
            'staging_model': 'stg_revcent__customer_group_actions',
            'validated_model': 'int_customer_group_actions_validated',
            'key': 'customer_group_action_id',
            'timestamp_column': 'created_at',
            'required_columns': ['group_key'],
            'enums': {'action': ['add', 'remove']},
            'columns': ['customer_group_action_id', 'customer_id', 'group_key', 'action', 'actor', 'created_at'],
            'references': [customer_ref],
        },
        'email_event': {
            'staging_model': 'stg_revcent__email_events',
            'validated_model': 'int_email_events_validated',
            'key': 'email_event_id',
            'timestamp_column': 'created_at',
            'enums': {'event_type': ['hard_bounce', 'soft_bounce', 'unsubscribe']},
            'columns': ['email_event_id', 'customer_id', 'event_type', 'created_at'],
            'references': [customer_ref],
        },
    }) -%}
{% endmacro %}
