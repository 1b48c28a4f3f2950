with

source as (

    select * from {{ revcent_source('customer_group_action') }}

),

renamed as (

    select
        ----------  ids
        {{ normalize_id('id') }} as customer_group_action_id,
        {{ normalize_id('customer_id') }} as customer_id,
        {{ normalize_id('group_key') }} as group_key,

        ----------  strings
        {{ normalize_enum('action') }} as action,
        {{ redacted_text('actor') }} as actor,

        ----------  timestamps
        {{ staged_timestamp('created_date_unix') }} as created_at,
        {{ staged_date('created_date_unix') }} as created_date,

        ----------  values staging could not read
        {{ invalid_value_columns({'created_date_unix': 'bigint'}) }} as invalid_value_columns,
        {{ implausible_timestamp_columns(['created_date_unix']) }} as implausible_timestamp_columns

    from source

)

select * from renamed
