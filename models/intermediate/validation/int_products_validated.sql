{{ validate_source_rows('product') }}
