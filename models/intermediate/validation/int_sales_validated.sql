{{ validate_source_rows('sale') }}
