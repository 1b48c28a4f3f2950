{{ validate_source_rows('customer_group_action') }}
