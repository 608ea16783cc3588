{#- Every landed insureds row, split into its fields and typed; `quarantine_reason` says
    why a row cannot be used (null for an accepted row). -#}
with

landed as (

    select * from {{ source('landing', 'insureds') }}
    where record_number >= 1

),

split as (

    select
        *,
        {{ csv_fields('line') }} as fields
    from landed

),

fields as (

    select
        file_name,
        ingest_date,
        record_number,
        line,
        encoding_error,
        {{ array_length('fields') }} as field_count,
        {{ csv_field('fields', 1) }} as insured_id,
        {{ csv_field('fields', 2) }} as insured_type,
        {{ csv_field('fields', 3) }} as full_name,
        {{ csv_field('fields', 4) }} as email,
        {{ csv_field('fields', 5) }} as phone,
        {{ csv_field('fields', 6) }} as date_of_birth_text,
        {{ csv_field('fields', 7) }} as industry,
        {{ csv_field('fields', 8) }} as address_line,
        {{ csv_field('fields', 9) }} as city,
        {{ csv_field('fields', 10) }} as region,
        {{ csv_field('fields', 11) }} as postal_code,
        {{ csv_field('fields', 12) }} as country_code,
        {{ csv_field('fields', 13) }} as annual_revenue_usd_text,
        {{ csv_field('fields', 14) }} as risk_rating,
        {{ csv_field('fields', 15) }} as record_status,
        {{ csv_field('fields', 16) }} as created_at_text,
        {{ csv_field('fields', 17) }} as updated_at_text
    from split

),

typed as (

    select
        *,
        {{ read_date('date_of_birth_text') }} as date_of_birth,
        {{ read_decimal('annual_revenue_usd_text', 18, 2) }} as annual_revenue_usd,
        {{ read_timestamp('created_at_text') }} as created_at,
        {{ read_timestamp('updated_at_text') }} as updated_at
    from fields

),

checked as (

    select
        *,
        case
            when encoding_error is not null then 'invalid encoding: bytes that are not UTF-8'
            when field_count != 17
                then 'malformed: ' || cast(field_count as varchar) || ' fields, expected 17'
            when insured_id is null then 'missing insured_id'
            when updated_at is null then 'unparsable updated_at: ' || coalesce(updated_at_text, 'null')
            when created_at is null then 'unparsable created_at: ' || coalesce(created_at_text, 'null')
            when date_of_birth_text is not null and date_of_birth is null
                then 'unparsable date_of_birth: ' || date_of_birth_text
            when annual_revenue_usd_text is not null and annual_revenue_usd is null
                then 'unparsable annual_revenue_usd: ' || annual_revenue_usd_text
            when record_status not in ('active', 'deleted') or record_status is null
                then 'unknown record_status: ' || coalesce(record_status, 'null')
        end as quarantine_reason
    from typed

)

select
    file_name,
    ingest_date,
    record_number,
    line,
    quarantine_reason,
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
    updated_at
from checked
