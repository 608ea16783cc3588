{#- The latest accepted version of each treaty: latest updated_at wins, ties
    broken by the later file (ingest date, then file name, then record number). A soft
    delete is the latest version with is_deleted = true. -#}
with

accepted as (

    select * from {{ ref('base_landing__reinsurance_treaties') }}
    where quarantine_reason is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by treaty_id
            order by updated_at desc, {{ later_file_first() }}
        ) as recency
    from accepted

)

select
    treaty_id,
    treaty_name,
    reinsurer_name,
    reinsurer_rating,
    treaty_type,
    line_code,
    inception_date,
    expiry_date,
    currency,
    cession_pct,
    retention_amount,
    limit_amount,
    premium_rate_pct,
    commission_pct,
    record_status,
    updated_at,
    record_status = 'deleted' as is_deleted,
    ingest_date as source_ingest_date,
    file_name as source_file_name,
    record_number as source_record_number
from ranked
where recency = 1
