{#-
    Every version of an entity found in the lake, in system time (the body of each
    int_<source>__versions model):
      - accepted records only (quarantined ones never make a version);
      - exact duplicates and re-deliveries counted once: one row per key and updated_at,
        a tie going to the later file (later_file_first);
      - versions ordered by updated_at whatever order they arrived in; valid_from is the
        version's updated_at, valid_to the next version's, is_current the latest;
      - the version's surrogate key hashes the natural key and updated_at (version_key).
-#}
{% macro entity_versions(base_model, key, version_key_name) %}
with

accepted as (

    select * from {{ ref(base_model) }}
    where quarantine_reason is null

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by {{ key }}, updated_at
            order by {{ insurance_warehouse.later_file_first() }}
        ) as duplicate_rank
    from accepted

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
