{#-
    The keys a history run recomputes (latest_wins and entity_versions, docs/incremental.md):
    the keys with an accepted base row processed after the model's last run, and the keys
    with a row in the model whose record has left the base model (an erasure: its record
    is in base_landing__erased_records). The two
    macros differ only in what they call the record's place: the latest-wins models keep
    it as source_file_name and source_record_number, the history models as file_name and
    record_number.
-#}

{% macro history_inputs(base_model, key, place_columns) -%}
    {#- The first CTEs of a history model: `parsed` (the base model), `accepted` (its
        accepted rows) and, on an incremental run, `touched` (the keys the run recomputes).
        `touched` reads the base model itself, not `parsed`: a CTE read twice is
        materialized whole (every column of every base row) by DuckDB, where a scan of the
        base model filtered on processed_at skips the row groups parsed before. -#}
-- depends_on: {{ ref('base_landing__erased_records') }}
parsed as (

    select * from {{ ref(base_model) }}

),

accepted as (

    select * from parsed
    where quarantine_reason is null

),

{% if is_incremental() %}
    touched as (

        {{ insurance_warehouse.touched_keys(key, place_columns, base_model) }}

    ),
{% endif %}
{%- endmacro %}

{% macro touched_keys(key, place_columns, base_model) -%}
    {#- The body of the `touched` CTE: reads the base model and {{ this }}; incremental
        runs only. -#}
    select new_rows.{{ key }}
    from {{ ref(base_model) }} as new_rows
    where
        new_rows.quarantine_reason is null
        and {{ insurance_warehouse.processed_since_last_run('new_rows.processed_at') }}
    union
    {{ insurance_warehouse.vanished_keys(this, base_model, key, place_columns) }}
{%- endmacro %}

{% macro vanished_keys(relation, base_model, key, place_columns) -%}
    {#- The keys of `relation` with a row whose record (file name and record number, named
        by `place_columns`) has left the base model `base_model`. A base model is
        incremental (append) and loses a record only to an erasure (its post-hook
        forget_erased_records), so these are the rows whose record is in
        base_landing__erased_records for the base model's source: a join with the erased
        records (none, most days), not an anti-join of the whole model with the whole
        base model. -#}
    select current_rows.{{ key }}
    from {{ relation }} as current_rows
    inner join {{ ref('base_landing__erased_records') }} as erased
        on
            erased.source_name = '{{ base_model | replace('base_landing__', '') }}'
            and current_rows.{{ place_columns[0] }} = erased.file_name
            and current_rows.{{ place_columns[1] }} = erased.record_number
{%- endmacro %}

{% macro forget_vanished_keys(relation, base_model, key, place_columns) -%}
    {#- A history model's post-hook: the rows of a key whose record has left the base model
        and that the run did not recompute (every record of the key is gone) are deleted (a
        full build has no row for it). -#}
    delete from {{ relation }}
    where {{ key }} in (
        {{ insurance_warehouse.vanished_keys(relation, base_model, key, place_columns) }}
    )
{%- endmacro %}
