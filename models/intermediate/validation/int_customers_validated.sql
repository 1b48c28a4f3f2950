{{ validate_source_rows('customer') }}
