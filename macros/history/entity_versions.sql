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

{{ insurance_warehouse.history_inputs(base_model, key, ['file_name', 'record_number']) }}

in_scope as (

    {{ insurance_warehouse.rows_of_touched_keys('accepted', 'touched', key) }}

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
    {{ insurance_warehouse.forget_vanished_keys(relation, base_model, key, ['file_name', 'record_number']) }}
{%- endmacro %}
