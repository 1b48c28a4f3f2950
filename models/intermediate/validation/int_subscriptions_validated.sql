{{ validate_source_rows('subscription') }}
