{#-
    A fixed, hashed sample of customers for tests of relations too large to
    scan whole: customer_group_explanations is a view of customers x groups
    x qualifier rows (~60M rows at 1M customers), and every test or scan of
    it would recompute all of it. A test that keeps only the customers
    whose md5(customer id), as lowercase hex text, sorts below var
    `customer_test_sample_below` reads a predicate on the customer id
    alone, which the engine pushes below the view's joins and windows to its
    one scan of customers: a test costs a share of the view.

    `customer_test_sample_below` (dbt_project.yml): the default '04' keeps
    ids whose hash starts with 00 to 03, 1/64 of customers (~15,600 at 1M,
    ~30 at 2,000); '1' 1/16, '08' 1/32, 'g' every customer. The same customers on every run and
    engine. Generic tests cannot call project macros in their `where`
    config, so the explanations' tests in _groups__models.yml spell the same
    predicate as `md5(customer_id) < '{{ var(...) }}'`.
-#}
{% macro in_customer_test_sample(column) -%}
    {{ dbt.hash(column) }} < '{{ var("customer_test_sample_below") }}'
{%- endmacro %}
