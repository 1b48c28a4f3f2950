{{ validate_source_rows('subscription_renewal') }}
