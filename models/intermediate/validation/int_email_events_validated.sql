{{ validate_source_rows('email_event') }}
