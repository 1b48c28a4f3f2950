{#- The semantic layer's calendar: one row per day from var
    time_spine_start_date to var time_spine_end_date (both included,
    defaults 2020-01-01 and 2035-12-31). MetricFlow joins metric_time to it
    (see _reporting__semantic_models.yml). Built with the dispatched
    day_spine macro, so it needs no package and runs on every adapter. -#}
{%- set bounds = {} %}
{%- for name, default in [('time_spine_start_date', '2020-01-01'), ('time_spine_end_date', '2035-12-31')] %}
    {%- set configured = var(name, default) | string | trim %}
    {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', configured) %}
        {{ exceptions.raise_compiler_error("var " ~ name ~ " must be a date as YYYY-MM-DD, got '" ~ configured ~ "'") }}
    {%- endif %}
    {%- do bounds.update({name: "cast('" ~ configured ~ "' as date)"}) %}
{%- endfor %}

with

days as (

    {{ day_spine(bounds['time_spine_start_date'], bounds['time_spine_end_date']) }}

),

final as (

    select cast(spine_date as date) as date_day
    from days

)

select * from final
