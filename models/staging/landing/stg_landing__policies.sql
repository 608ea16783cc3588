{#- The latest accepted version of each policy: latest updated_at wins, ties
    broken by the later file (ingest date, then file name, then record number). A soft
    delete is the latest version with is_deleted = true. -#}
with

accepted as (

    select * from {{ ref('base_landing__policies') }}
    where quarantine_reason is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by policy_id
            order by updated_at desc, {{ later_file_first() }}
        ) as recency
    from accepted

)

select
    policy_id,
    policy_number,
    insured_id,
    line_code,
    treaty_ids,
    policy_status,
    inception_date,
    expiry_date,
    currency,
    gross_written_premium,
    commission_pct,
    taxes,
    effective_date,
    sum_insured,
    deductible,
    coverages,
    underwriter_id,
    underwriter_name,
    broker_id,
    broker_name,
    broker_country_code,
    record_status,
    source_version,
    updated_at,
    unexpected_fields,
    record_status = 'deleted' as is_deleted,
    ingest_date as source_ingest_date,
    file_name as source_file_name,
    record_number as source_record_number
from ranked
where recency = 1
