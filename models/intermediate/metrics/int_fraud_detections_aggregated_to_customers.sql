{{ aggregate_facts_to_customers('int_fraud_detections_validated', count_as='fraud_detections') }}
