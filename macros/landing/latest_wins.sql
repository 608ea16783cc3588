{#-
    The latest accepted version of each entity (the body of each stg_landing__<source>
    model): quarantined records never win; the latest updated_at wins, a tie going to the
    later file (ingest date, then file name, then record number: later_file_first); a soft
    delete is the latest version with is_deleted = true. `columns` are the entity's
    columns, in order; the version's provenance follows them.
-#}
{% macro latest_wins(base_model, key, columns) %}
with

accepted as (

    select * from {{ ref(base_model) }}
    where quarantine_reason is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by {{ key }}
            order by updated_at desc, {{ insurance_warehouse.later_file_first() }}
        ) as recency
    from accepted

)

select
    {%- for column in columns %}
    {{ column }},
    {%- endfor %}
    record_status = 'deleted' as is_deleted,
    ingest_date as source_ingest_date,
    file_name as source_file_name,
    record_number as source_record_number
from ranked
where recency = 1
{% endmacro %}
