{#-
    A fixed, hashed sample of customers for tests of relations too large to
    scan whole: customer_group_explanations is a view of customers x groups
    x qualifier rows (~60M rows at 1M customers), and every test or scan of
    it would recompute all of it. A test keeps only the customers whose
    md5(customer id), as lowercase hex text, sorts below a threshold. The
    explanations' tests pass this predicate to macro
    customer_group_explanation_rows, which applies it to every input before
    the joins.

    The threshold is var `customer_test_sample_below` (dbt_project.yml): the
    default '04' keeps ids whose hash starts with 00 to 03, 1/64 of
    customers (~15,600 at 1M, ~30 at 2,000); '1' 1/16, '08' 1/32, 'g' every
    customer. When that share would exceed var
    `customer_test_sample_max_customers` (default 20,000) customers, the
    threshold is lowered to keep about that many: the explanations of 156k
    customers (1/64 at 10M) filled DuckDB's 4GB, and a sample's cost should
    not grow with the warehouse. The same customers on every run and engine
    for the same number of customers.

    The tests of the unpivoted metrics view sample it by number instead
    (see its description in _groups__models.yml).
-#}
{% macro in_customer_test_sample(column) -%}
    {{ dbt.hash(column) }} < '{{ customer_test_sample_threshold() }}'
{%- endmacro %}

{#- The hex threshold of in_customer_test_sample: var
    `customer_test_sample_below`, lowered at execution to keep about var
    `customer_test_sample_max_customers` customers of customer_metrics. -#}
{% macro customer_test_sample_threshold() -%}
    {%- set below = var('customer_test_sample_below') | string -%}
    {%- set max_customers = var('customer_test_sample_max_customers') -%}
    {%- set customers_relation = ref('customer_metrics') -%}
    {%- if not execute or max_customers is none -%}
        {{ return(below) }}
    {%- endif -%}
    {%- set digits = 8 -%}
    {%- set scale = 16 ** digits -%}
    {%- set padded = (below ~ '00000000')[:digits] -%}
    {%- set below_share = 1 if padded.lower() > 'ffffffff' else (padded | int(base=16)) / scale -%}
    {%- set customers = run_query('select count(*) from ' ~ customers_relation).columns[0].values()[0] | int -%}
    {%- if customers * below_share <= max_customers -%}
        {{ return(below) }}
    {%- endif -%}
    {{ return('%08x' | format((scale * max_customers / customers) | int)) }}
{%- endmacro %}
