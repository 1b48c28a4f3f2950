{{ validate_source_rows('refund') }}
