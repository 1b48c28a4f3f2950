with

source as (

    select * from {{ source('revcent', 'product') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as product_id,
        {{ normalize_id('product_group_id') }} as product_group_id,

        ----------  strings
        cast(name as {{ dbt.type_string() }}) as product_name,
        cast(sku as {{ dbt.type_string() }}) as sku

    from source

)

select * from renamed
