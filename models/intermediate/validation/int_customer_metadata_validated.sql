{{ validate_source_rows('customer_metadata') }}
