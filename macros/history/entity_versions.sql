{#-
    Every version of an entity found in the lake, in system time (the body of each
    int_<source>__versions model):
      - accepted records only (quarantined ones never make a version);
      - exact duplicates and re-deliveries counted once: one row per key and updated_at,
        a tie going to the later file (later_file_first);
      - versions ordered by updated_at whatever order they arrived in; valid_from is the
        version's updated_at, valid_to the next version's, is_current the latest;
      - the version's surrogate key hashes the natural key and updated_at (version_key).

    Incremental (delete+insert by the natural key, docs/incremental.md): a run re-derives
    every version of the keys that received a base row processed after the newest
    processed_at here, or lost a record from the base model (an erasure), so a late or
    out-of-order version re-closes the versions around it; the other keys are not
    touched. The post-hook forget_vanished_versions deletes the keys left with no version.
-#}
{% macro entity_versions(base_model, key, version_key_name) %}
{{ config(
    materialized='incremental',
    incremental_strategy='delete+insert',
    unique_key=key,
    on_schema_change='fail',
    post_hook=["{{ insurance_warehouse.forget_vanished_versions(this, '" ~ base_model ~ "', '" ~ key ~ "') }}"],
) }}
with

parsed as (

    select * from {{ ref(base_model) }}

),

accepted as (

    select * from parsed
    where quarantine_reason is null

),

{% if is_incremental() %}
    touched as (

        select {{ key }} from accepted
        where {{ insurance_warehouse.processed_since_last_run() }}
        union
        select current_rows.{{ key }}
        from {{ this }} as current_rows
        left join parsed
            on
                current_rows.file_name = parsed.file_name
                and current_rows.record_number = parsed.record_number
        where parsed.file_name is null

    ),
{% endif %}

in_scope as (

    select accepted.*
    from accepted
    {% if is_incremental() %}
        inner join touched on accepted.{{ key }} = touched.{{ key }}
    {% endif %}

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by {{ key }}, updated_at
            order by {{ insurance_warehouse.later_file_first() }}
        ) as duplicate_rank
    from in_scope

),

versions as (

    select
        *,
        row_number() over (partition by {{ key }} order by updated_at) as version_number,
        lead(updated_at) over (partition by {{ key }} order by updated_at) as next_updated_at
    from deduplicated
    where duplicate_rank = 1

)

select
    {{ insurance_warehouse.version_key(key) }}
        as {{ version_key_name }},
    * exclude (line, quarantine_reason, duplicate_rank, next_updated_at),
    updated_at as valid_from,
    next_updated_at as valid_to,
    next_updated_at is null as is_current,
    record_status = 'deleted' as is_deleted
from versions
{% endmacro %}

{% macro forget_vanished_versions(relation, base_model, key) -%}
    {#- A history model's post-hook: the versions of a key whose every record has left the
        base model (erased) are deleted (a full build has no row for it). -#}
    delete from {{ relation }}
    where {{ key }} in (
        select current_rows.{{ key }}
        from {{ relation }} as current_rows
        left join {{ ref(base_model) }} as parsed
            on
                current_rows.file_name = parsed.file_name
                and current_rows.record_number = parsed.record_number
        where parsed.file_name is null
    )
{%- endmacro %}
