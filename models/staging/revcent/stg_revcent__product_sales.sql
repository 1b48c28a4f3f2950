with

source as (

    select * from {{ source('revcent', 'product_sale') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as product_sale_id,
        {{ normalize_id('sale_id') }} as sale_id,
        {{ normalize_id('product_id') }} as product_id,

        ----------  numerics
        cast(quantity as integer) as quantity,
        {{ cast_money('amount') }} as amount

    from source

)

select * from renamed
