{{ validate_source_rows('chargeback') }}
