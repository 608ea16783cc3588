{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        post_hook="{{ forget_erased_records(this, 'insureds') }}",
    )
}}
{#- Every landed insureds row, split into its fields and typed; `quarantine_reason` says
    why a row cannot be used (null for an accepted row). -#}
with

landed as (

    {{ unparsed_lines('insureds') }}

),

{{ csv_records(
    'landed',
    ['insured_id', 'insured_type', 'full_name', 'email', 'phone', 'date_of_birth', 'industry', 'address_line', 'city', 'region', 'postal_code', 'country_code', 'annual_revenue_usd', 'risk_rating', 'record_status', 'created_at', 'updated_at'],
    text_suffix=['date_of_birth', 'annual_revenue_usd', 'created_at', 'updated_at'],
) }},

typed as (

    select
        *,
        {{ key_problem(['insured_id']) }} as key_problem,
        {{ read_date('date_of_birth_text') }} as date_of_birth,
        {{ read_decimal('annual_revenue_usd_text', 18, 2) }} as annual_revenue_usd,
        {{ read_timestamp('created_at_text') }} as created_at,
        {{ read_timestamp('updated_at_text') }} as updated_at
    from csv_fields

),

checked as (

    select
        *,
        case
            when structure_problem is not null then structure_problem
            when key_problem is not null then key_problem
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
    updated_at,
    {{ run_processed_at() }} as processed_at
from checked
where {{ not_erased('insureds', 'checked') }}
