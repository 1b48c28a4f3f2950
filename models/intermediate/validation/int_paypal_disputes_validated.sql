{{ validate_source_rows('paypal_dispute') }}
