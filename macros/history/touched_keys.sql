{#-
    The keys a history run recomputes (latest_wins and entity_versions, docs/incremental.md):
    the keys with an accepted base row processed after the model's last run, and the keys
    with a row in the model whose record has left the base model (an erasure). The two
    macros differ only in what they call the record's place: the latest-wins models keep
    it as source_file_name and source_record_number, the history models as file_name and
    record_number.
-#}

{% macro history_inputs(base_model, key, place_columns) -%}
    {#- The first CTEs of a history model: `parsed` (the base model), `accepted` (its
        accepted rows) and, on an incremental run, `touched` (the keys the run recomputes). -#}
parsed as (

    select * from {{ ref(base_model) }}

),

accepted as (

    select * from parsed
    where quarantine_reason is null

),

{% if is_incremental() %}
    touched as (

        {{ insurance_warehouse.touched_keys(key, place_columns) }}

    ),
{% endif %}
{%- endmacro %}

{% macro touched_keys(key, place_columns) -%}
    {#- The body of the `touched` CTE: reads the CTEs `accepted` and `parsed` (the base
        model) and {{ this }}; incremental runs only. -#}
    select {{ key }} from accepted
    where {{ insurance_warehouse.processed_since_last_run() }}
    union
    {{ insurance_warehouse.vanished_keys(this, 'parsed', key, place_columns) }}
{%- endmacro %}

{% macro vanished_keys(relation, base_relation, key, place_columns) -%}
    {#- The keys of `relation` with a row whose record (file name and record number, named
        by `place_columns`) is no longer in `base_relation`: erased since it was parsed. -#}
    select current_rows.{{ key }}
    from {{ relation }} as current_rows
    left join {{ base_relation }} as parsed
        on
            current_rows.{{ place_columns[0] }} = parsed.file_name
            and current_rows.{{ place_columns[1] }} = parsed.record_number
    where parsed.file_name is null
{%- endmacro %}

{% macro forget_vanished_keys(relation, base_model, key, place_columns) -%}
    {#- A history model's post-hook: the rows of a key whose record has left the base model
        and that the run did not recompute (every record of the key is gone) are deleted (a
        full build has no row for it). -#}
    delete from {{ relation }}
    where {{ key }} in (
        {{ insurance_warehouse.vanished_keys(relation, ref(base_model), key, place_columns) }}
    )
{%- endmacro %}
