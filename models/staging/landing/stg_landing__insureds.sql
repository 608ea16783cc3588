{#- The latest accepted version of each insured: latest updated_at wins, ties
    broken by the later file (ingest date, then file name, then record number). A soft
    delete is the latest version with is_deleted = true. -#}
with

accepted as (

    select * from {{ ref('base_landing__insureds') }}
    where quarantine_reason is null

),

ranked as (

    select
        *,
        row_number() over (
            partition by insured_id
            order by updated_at desc, {{ later_file_first() }}
        ) as recency
    from accepted

)

select
    insured_id,
    insured_type,
    full_name,
    email,
    phone,
    date_of_birth,
    industry,
    address_line,
    city,
    region,
    postal_code,
    country_code,
    annual_revenue_usd,
    risk_rating,
    record_status,
    created_at,
    updated_at,
    record_status = 'deleted' as is_deleted,
    ingest_date as source_ingest_date,
    file_name as source_file_name,
    record_number as source_record_number
from ranked
where recency = 1
