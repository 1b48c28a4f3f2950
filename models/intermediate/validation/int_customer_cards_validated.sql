{{ validate_source_rows('customer_card') }}
