{#-
    A fixed, hashed sample of customers for tests of relations too large to
    scan whole: customer_group_explanations is a view of customers x groups
    x qualifier rows (~60M rows at 1M customers), and every test or scan of
    it would recompute all of it. A test keeps only the customers whose
    md5(customer id), as lowercase hex text, sorts below var
    `customer_test_sample_below`. The explanations' tests pass this
    predicate to macro customer_group_explanation_rows, which applies it to
    every input before the joins; the tests of the unpivoted metrics view
    put it in their `where`, which the engine pushes into each branch.

    `customer_test_sample_below` (dbt_project.yml): the default '04' keeps
    ids whose hash starts with 00 to 03, 1/64 of customers (~15,600 at 1M,
    ~30 at 2,000); '1' 1/16, '08' 1/32, 'g' every customer. The same customers on every run and
    engine. Generic tests cannot call project macros in their `where`
    config, so the tests in _groups__models.yml spell the same predicate as
    `md5(customer_id) < '{{ var(...) }}'`.
-#}
{% macro in_customer_test_sample(column) -%}
    {{ dbt.hash(column) }} < '{{ var("customer_test_sample_below") }}'
{%- endmacro %}
