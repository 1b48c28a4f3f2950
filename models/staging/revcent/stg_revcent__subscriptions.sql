with

source as (

    select * from {{ source('revcent', 'subscription') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as subscription_id,
        {{ normalize_id('customer_id') }} as customer_id,
        {{ normalize_id('product_id') }} as product_id,

        ----------  strings
        {{ normalize_enum('status') }} as subscription_status,

        ----------  timestamps
        {{ epoch_seconds_to_timestamp('created_date_unix') }} as created_at,
        {{ to_utc_date(epoch_seconds_to_timestamp('created_date_unix')) }} as created_date,
        {{ epoch_seconds_to_timestamp('updated_date_unix') }} as updated_at

    from source

)

select * from renamed
