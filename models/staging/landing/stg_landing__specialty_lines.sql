{#- The latest accepted version of each specialty line: latest updated_at wins, ties
    broken by the later file (ingest date, then file name, then record number). A soft
    delete is the latest version with is_deleted = true. -#}
with

accepted as (

    select * from {{ ref('base_landing__specialty_lines') }}
    where quarantine_reason is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by line_code
            order by updated_at desc, {{ later_file_first() }}
        ) as recency
    from accepted

)

select
    line_code,
    line_name,
    line_group,
    is_active,
    record_status,
    updated_at,
    record_status = 'deleted' as is_deleted,
    ingest_date as source_ingest_date,
    file_name as source_file_name,
    record_number as source_record_number
from ranked
where recency = 1
