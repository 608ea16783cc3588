{#- The latest accepted version of each claim: latest updated_at wins, ties
    broken by the later file (ingest date, then file name, then record number). A soft
    delete is the latest version with is_deleted = true. -#}
with

accepted as (

    select * from {{ ref('base_landing__claims') }}
    where quarantine_reason is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by claim_id
            order by updated_at desc, {{ later_file_first() }}
        ) as recency
    from accepted

)

select
    claim_id,
    policy_id,
    loss_date,
    reported_date,
    claim_status,
    cause_of_loss,
    loss_country_code,
    loss_region,
    currency,
    paid_amount,
    reserve_amount,
    recovered_amount,
    adjuster_id,
    adjuster_name,
    record_status,
    updated_at,
    unexpected_fields,
    record_status = 'deleted' as is_deleted,
    ingest_date as source_ingest_date,
    file_name as source_file_name,
    record_number as source_record_number
from ranked
where recency = 1
