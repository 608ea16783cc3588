{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}
{#- Every landed reinsurance-treaties row, split and typed, with its quarantine reason. -#}
with

landed as (

    {{ unparsed_lines('reinsurance_treaties') }}

),

{{ csv_records(
    'landed',
    ['treaty_id', 'treaty_name', 'reinsurer_name', 'reinsurer_rating', 'treaty_type', 'line_code', 'inception_date', 'expiry_date', 'currency', 'cession_pct', 'retention_amount', 'limit_amount', 'premium_rate_pct', 'commission_pct', 'record_status', 'updated_at'],
    text_suffix=['inception_date', 'expiry_date', 'cession_pct', 'retention_amount', 'limit_amount', 'premium_rate_pct', 'commission_pct', 'updated_at'],
) }},

typed as (

    select
        *,
        {{ key_problem(['treaty_id', 'line_code']) }} as key_problem,
        {{ read_date('inception_date_text') }} as inception_date,
        {{ read_date('expiry_date_text') }} as expiry_date,
        {{ read_decimal('cession_pct_text', 9, 4) }} as cession_pct,
        {{ read_decimal('retention_amount_text', 18, 2) }} as retention_amount,
        {{ read_decimal('limit_amount_text', 18, 2) }} as limit_amount,
        {{ read_decimal('premium_rate_pct_text', 9, 4) }} as premium_rate_pct,
        {{ read_decimal('commission_pct_text', 9, 4) }} as commission_pct,
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
            when inception_date is null
                then 'unparsable inception_date: ' || coalesce(inception_date_text, 'null')
            when expiry_date is null
                then 'unparsable expiry_date: ' || coalesce(expiry_date_text, 'null')
            when cession_pct_text is not null and cession_pct is null
                then 'unparsable cession_pct: ' || cession_pct_text
            when retention_amount_text is not null and retention_amount is null
                then 'unparsable retention_amount: ' || retention_amount_text
            when limit_amount_text is not null and limit_amount is null
                then 'unparsable limit_amount: ' || limit_amount_text
            when premium_rate_pct_text is not null and premium_rate_pct is null
                then 'unparsable premium_rate_pct: ' || premium_rate_pct_text
            when commission_pct_text is not null and commission_pct is null
                then 'unparsable commission_pct: ' || commission_pct_text
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
    {{ run_processed_at() }} as processed_at
from checked
