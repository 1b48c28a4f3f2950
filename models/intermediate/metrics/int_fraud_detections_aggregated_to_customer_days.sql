{{ aggregate_facts_to_customer_days('int_fraud_detections_validated', count_as='fraud_detections') }}
