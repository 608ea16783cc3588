{#-
    The project's own generic tests: they run in air-gapped mode, with no hub package.
-#}

{#- The combination of `columns` identifies a row (a model's grain). -#}
{% test unique_combination(model, columns) %}
    select
        {{ columns | join(', ') }},
        count(*) as rows_at_grain
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}


{#- SCD2: exactly one current version per key. -#}
{% test scd2_one_current_version(model, key, is_current='is_current') %}
    select
        {{ key }},
        sum(case when {{ is_current }} then 1 else 0 end) as current_versions
    from {{ model }}
    group by {{ key }}
    having sum(case when {{ is_current }} then 1 else 0 end) != 1
{% endtest %}


{#- SCD2: the versions of a key never overlap and leave no gap: each version ends where
    the next begins, and only the last one is open-ended. -#}
{% test scd2_contiguous_versions(model, key, valid_from='valid_from', valid_to='valid_to') %}
    with ordered as (
        select
            {{ key }},
            {{ valid_from }} as valid_from,
            {{ valid_to }} as valid_to,
            lead({{ valid_from }}) over (partition by {{ key }} order by {{ valid_from }}) as next_valid_from
        from {{ model }}
    )
    select *
    from ordered
    where
        valid_to is not null and valid_to <= valid_from
        or next_valid_from is null and valid_to is not null
        or next_valid_from is not null and (valid_to is null or valid_to != next_valid_from)
{% endtest %}


{#- Every row's `expression` holds (e.g. incurred = paid + reserve - recovered). -#}
{% test expression_is_true(model, expression) %}
    select *
    from {{ model }}
    where not ({{ expression }})
{% endtest %}


{#- Quarantine rate of a landing source's newest batch(es), in basis points (1 % = 100):
    records that
    cannot be used / records landed, per batch (`batch_column`). Every landed record is
    in the model (a base_landing__<source> model) with `reason_column` set when it is
    quarantined.

    A small rate is normal (the contract's faults), so the test reports the worst rate as
    its result (fail_calc; dbt wants a whole number, hence basis points) and the
    thresholds are rates: warn_if / error_if in basis points, set per source in the YAML
    (defaults: warn above 100 = 1 %, error above 1000 = 10 %).

    A rate over a handful of records is noise (one bad record in five reads as 20 %):
    the denominator is at least `min_records`, so a small batch is judged as if it had
    `min_records` records; a small batch that is mostly bad still shows a high rate.

    Only each source's newest `latest_batches` batches are judged: a build judges what
    has just arrived, and a batch that was dealt with does not block every later release
    (its records stay in the lake and in stg_landing__quarantine). -#}
{% test quarantine_rate(model, batch_column='ingest_date', reason_column='quarantine_reason', min_records=100, latest_batches=1) %}
    {{ config(fail_calc='coalesce(max(quarantine_bp), 0)', warn_if='>100', error_if='>1000') }}
    with batches as (
        select
            {{ batch_column }} as batch,
            count(*) as landed_records,
            sum(case when {{ reason_column }} is not null then 1 else 0 end) as quarantined_records
        from {{ model }}
        group by {{ batch_column }}
    ),

    newest as (
        select
            *,
            row_number() over (order by batch desc) as batch_rank
        from batches
    )

    select
        batch,
        landed_records,
        quarantined_records,
        cast(floor(
            10000.0 * quarantined_records
            / case when landed_records < {{ min_records }} then {{ min_records }} else landed_records end
        ) as integer) as quarantine_bp
    from newest
    where batch_rank <= {{ latest_batches }} and quarantined_records > 0
{% endtest %}


{#- Schema drift in a JSON source: top-level fields outside the source contract, which
    staging lists in `column` (comma-separated, null when none). One row per distinct set
    of new fields, with the batches it was seen in and how many records carried it.
    It reads a column staging computes on both engines (DuckDB JSON, Snowflake VARIANT),
    so a new key is seen even where the landing table's columns never change. -#}
{% test no_unexpected_fields(model, column='unexpected_fields', batch_column='ingest_date') %}
    select
        {{ column }} as unexpected_fields,
        min({{ batch_column }}) as first_seen_batch,
        max({{ batch_column }}) as last_seen_batch,
        count(*) as records
    from {{ model }}
    where {{ column }} is not null
    group by {{ column }}
{% endtest %}


{#- The model has at most `maximum` rows (a one-row model stays one row; an --empty
    build reads none). Returns one row with the count when it has more. -#}
{% test max_row_count(model, maximum) %}
    select row_count
    from (select count(*) as row_count from {{ model }}) as counted
    where row_count > {{ maximum }}
{% endtest %}
