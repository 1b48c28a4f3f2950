{{ validate_source_rows('fraud_detection') }}
