{{ validate_source_rows('product_sale') }}
