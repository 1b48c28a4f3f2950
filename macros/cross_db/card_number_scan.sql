{#-
    Helpers for the card-number (PAN) scan in
    tests/data_quality/assert_no_card_numbers_in_any_model.sql.

    card_number_candidates(relation, column) returns a query with one row per
    13-19 digit number found in a string column, as column
    `candidate_digits` (separators removed). A number is a run of digit
    groups separated by single spaces, dashes or dots ("4111 1111-1111.1111";
    the one rule of redact_card_numbers.sql, whose macros this reads);
    every sequence of consecutive groups that adds up to 13-19 digits is a
    candidate, so a card number followed by an expiry ("4111 ... 1111 2026")
    is still found. Values that are entirely a hex digest (md5 / sha1 /
    sha256 surrogate keys) or one decimal number are skipped: their digit
    runs are noise, not cards.

    is_luhn_valid(digits) is true when a string of digits passes the Luhn
    checksum that every card number carries.
-#}

{%- macro card_number_digit_run_pattern() -%}
    '[0-9]+(?:{{ card_number_separator() }}[0-9]+)*'
{%- endmacro %}

{%- macro card_number_separator_pattern() -%}
    '{{ card_number_separator() }}'
{%- endmacro %}

{#- Cheap pre-filter: at least 13 digits with at most one separator between each. -#}
{%- macro card_number_prefilter_pattern() -%}
    '[0-9](?:{{ card_number_separator() }}?[0-9]){12}'
{%- endmacro %}

{%- macro hex_digest_pattern() -%}
    '^([0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})$'
{%- endmacro %}


{#- Whether a text expression may hold a card number: 13 digits with at
    most one separator between each, in a value that is not entirely a hex
    digest or one decimal number (see card_number_candidates). The scan reads
    each relation once and keeps only the rows where some column may hold
    one; skipping digests and decimals here, not after, keeps the surrogate
    keys and decimal metrics (most of the hits at scale) out of that set.
    A value shorter than 13 characters (most ids, codes and enums) cannot
    hold 13 digits: testing the length first spares it the regular
    expressions (2.5x faster on 8M sales' text columns). -#}
{% macro may_hold_card_number(expression) -%}
    (length({{ expression }}) >= 13
        and {{ adapter.dispatch('may_hold_card_number', 'customer_groups')(expression) }})
{%- endmacro %}

{% macro default__may_hold_card_number(expression) -%}
    ({{ expression }} ~ {{ card_number_prefilter_pattern() }}
        and {{ expression }} !~ {{ hex_digest_pattern() }}
        and {{ expression }} !~ {{ decimal_number_pattern() }})
{%- endmacro %}

{% macro duckdb__may_hold_card_number(expression) -%}
    (regexp_matches({{ expression }}, {{ card_number_prefilter_pattern() }})
        and not regexp_matches({{ expression }}, {{ hex_digest_pattern() }})
        and not regexp_matches({{ expression }}, {{ decimal_number_pattern() }}))
{%- endmacro %}

{% macro spark__may_hold_card_number(expression) -%}
    ({{ expression }} rlike {{ card_number_prefilter_pattern() }}
        and not {{ expression }} rlike {{ hex_digest_pattern() }}
        and not {{ expression }} rlike {{ decimal_number_pattern() }})
{%- endmacro %}


{% macro card_number_candidates(relation, column) -%}
    {{ return(adapter.dispatch('card_number_candidates', 'customer_groups')(relation, column)) }}
{%- endmacro %}

{#- PostgreSQL-style SQL: regexp_matches(..., 'g') as a set-returning
    function, arrays sliced with [i:j]. -#}
{% macro default__card_number_candidates(relation, column) -%}
    select candidate_digits
    from (
        select array_to_string(digit_groups[group_from:group_to], '') as candidate_digits
        from (
            select regexp_split_to_array((digit_runs.digit_run)[1], {{ card_number_separator_pattern() }}) as digit_groups
            from {{ relation }} as scanned
            cross join lateral regexp_matches(scanned.{{ column }}, {{ card_number_digit_run_pattern() }}, 'g') as digit_runs (digit_run)
            where {{ may_hold_card_number('scanned.' ~ column) }}
        ) as runs
        cross join lateral generate_series(1, cardinality(digit_groups)) as group_from
        cross join lateral generate_series(group_from, cardinality(digit_groups)) as group_to
    ) as windows
    where length(candidate_digits) between 13 and 19
{%- endmacro %}

{#- DuckDB: regexp_extract_all and list lambdas, no lateral joins needed. -#}
{% macro duckdb__card_number_candidates(relation, column) -%}
    select candidate_digits
    from (
        select
            unnest(flatten(list_transform(
                range(1, len(digit_groups) + 1),
                lambda group_from: list_transform(
                    range(group_from, len(digit_groups) + 1),
                    lambda group_to: array_to_string(digit_groups[group_from:group_to], '')
                )
            ))) as candidate_digits
        from (
            select string_split_regex(unnest(regexp_extract_all(scanned.{{ column }}, {{ card_number_digit_run_pattern() }})), {{ card_number_separator_pattern() }}) as digit_groups
            from {{ relation }} as scanned
            where {{ may_hold_card_number('scanned.' ~ column) }}
        ) as runs
    ) as windows
    where length(candidate_digits) between 13 and 19
{%- endmacro %}

{#- Spark: regexp_extract_all and higher-order array functions (slice takes
    a start and a length). -#}
{% macro spark__card_number_candidates(relation, column) -%}
    select candidate_digits
    from (
        select
            explode(flatten(transform(
                sequence(1, size(digit_groups)),
                group_from -> transform(
                    sequence(group_from, size(digit_groups)),
                    group_to -> array_join(slice(digit_groups, group_from, group_to - group_from + 1), '')
                )
            ))) as candidate_digits
        from (
            select split(digit_run, {{ card_number_separator_pattern() }}) as digit_groups
            from (
                select explode(regexp_extract_all(scanned.{{ column }}, {{ card_number_digit_run_pattern() }}, 0)) as digit_run
                from {{ relation }} as scanned
                where {{ may_hold_card_number('scanned.' ~ column) }}
            ) as digit_runs
        ) as runs
    ) as windows
    where length(candidate_digits) between 13 and 19
{%- endmacro %}


{#- Whether a column of adapter.get_columns_in_relation holds text. dbt's
    Column.is_string() knows varchar and text but not Spark's `string`. -#}
{% macro is_text_column(column) -%}
    {{ return(column.is_string() or (column.dtype | lower) == 'string') }}
{%- endmacro %}


{% macro is_luhn_valid(digits) -%}
    {{ return(adapter.dispatch('is_luhn_valid', 'customer_groups')(digits)) }}
{%- endmacro %}

{#- From the right, every second digit is doubled (a doubled digit above 9
    loses 9); the number is valid when the sum is a multiple of 10. The
    lookup array holds the doubled value of each digit 0-9. -#}
{% macro default__is_luhn_valid(digits) -%}
    (
        select mod(sum(
            case
                when mod(luhn_position, 2) = 1
                    then (array[0, 2, 4, 6, 8, 1, 3, 5, 7, 9])[cast(substr({{ digits }}, length({{ digits }}) - luhn_position, 1) as integer) + 1]
                else cast(substr({{ digits }}, length({{ digits }}) - luhn_position, 1) as integer)
            end
        ), 10) = 0
        from generate_series(0, length({{ digits }}) - 1) as luhn_positions (luhn_position)
    )
{%- endmacro %}

{% macro duckdb__is_luhn_valid(digits) -%}
    (
        list_sum(list_transform(
            string_split(reverse({{ digits }}), ''),
            lambda digit, position: case
                when position % 2 = 0 then [0, 2, 4, 6, 8, 1, 3, 5, 7, 9][cast(digit as integer) + 1]
                else cast(digit as integer)
            end
        )) % 10 = 0
    )
{%- endmacro %}

{#- Spark: position 0 is the last digit (element_at counts from 1). -#}
{% macro spark__is_luhn_valid(digits) -%}
    (
        aggregate(
            transform(
                sequence(0, length({{ digits }}) - 1),
                luhn_position -> case
                    when luhn_position % 2 = 1
                        then element_at(array(0, 2, 4, 6, 8, 1, 3, 5, 7, 9), cast(substr({{ digits }}, length({{ digits }}) - luhn_position, 1) as int) + 1)
                    else cast(substr({{ digits }}, length({{ digits }}) - luhn_position, 1) as int)
                end
            ),
            0,
            (luhn_sum, luhn_digit) -> luhn_sum + luhn_digit
        ) % 10 = 0
    )
{%- endmacro %}


{#- Only the last four digits of a found number are shown. -#}
{% macro mask_card_number(digits) -%}
    {{ dbt.concat(["repeat('*', length(" ~ digits ~ ") - 4)", dbt.right(digits, 4)]) }}
{%- endmacro %}
