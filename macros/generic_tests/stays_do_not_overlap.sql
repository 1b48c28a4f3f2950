{#- Fails for every pair of stays of one customer in one group that overlap
    (a customer is in a group at most once on any day). -#}
{% test stays_do_not_overlap(model) %}

select
    earlier.customer_id,
    earlier.group_key,
    earlier.valid_from,
    later.valid_from as overlapping_valid_from
from {{ model }} as earlier
inner join {{ model }} as later
    on
        earlier.customer_id = later.customer_id
        and earlier.group_key = later.group_key
        and earlier.valid_from < later.valid_from
        and (earlier.valid_to is null or earlier.valid_to > later.valid_from)

{% endtest %}
