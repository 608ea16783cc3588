{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        post_hook="{{ forget_erased_records(this, 'policies') }}",
    )
}}
{#- Every landed policies line, parsed and typed, with its quarantine reason. Fields the
    contract does not know (schema drift) are listed in `unexpected_fields`. -#}
{%- set known = [
    'policy_id', 'policy_number', 'insured_id', 'line_code', 'treaty_ids', 'status',
    'inception_date', 'expiry_date', 'currency', 'premium', 'effective_date', 'sum_insured',
    'deductible', 'coverages', 'underwriter', 'broker', 'record_status', 'version', 'updated_at',
] -%}
with

landed as (

    {{ unparsed_lines('policies') }}

),

parsed as (

    select
        *,
        {{ parse_json_object('line') }} as document
    from landed

),

fields as (

    select
        file_name,
        ingest_date,
        record_number,
        line,
        encoding_error,
        document,
        {{ json_text('document', ['policy_id']) }} as policy_id,
        {{ json_text('document', ['policy_number']) }} as policy_number,
        {{ json_text('document', ['insured_id']) }} as insured_id,
        {{ json_text('document', ['line_code']) }} as line_code,
        {{ json_member('document', ['treaty_ids']) }} as treaty_ids,
        {{ json_text('document', ['status']) }} as policy_status,
        {{ json_text('document', ['inception_date']) }} as inception_date_text,
        {{ json_text('document', ['expiry_date']) }} as expiry_date_text,
        {{ json_text('document', ['currency']) }} as currency,
        {{ json_number_text('document', 'line', ['premium', 'gross_written']) }} as gross_written_text,
        {{ json_number_text('document', 'line', ['premium', 'commission_pct']) }} as commission_pct_text,
        {{ json_number_text('document', 'line', ['premium', 'taxes']) }} as taxes_text,
        {{ json_text('document', ['effective_date']) }} as effective_date_text,
        {{ json_number_text('document', 'line', ['sum_insured']) }} as sum_insured_text,
        {{ json_number_text('document', 'line', ['deductible']) }} as deductible_text,
        {{ json_member('document', ['coverages']) }} as coverages,
        {{ json_text('document', ['underwriter', 'id']) }} as underwriter_id,
        {{ json_text('document', ['underwriter', 'name']) }} as underwriter_name,
        {{ json_text('document', ['broker', 'id']) }} as broker_id,
        {{ json_text('document', ['broker', 'name']) }} as broker_name,
        {{ json_text('document', ['broker', 'country_code']) }} as broker_country_code,
        {{ json_text('document', ['record_status']) }} as record_status,
        {{ json_number_text('document', 'line', ['version']) }} as version_text,
        {{ json_text('document', ['updated_at']) }} as updated_at_text,
        {{ json_unexpected_keys('document', known) }} as unexpected_fields
    from parsed

),

typed as (

    select
        *,
        {{ key_problem(['policy_id', 'insured_id', 'line_code']) }} as key_problem,
        {{ json_duplicate_key('document', ['premium', 'underwriter', 'broker']) }} as duplicate_key,
        {{ read_date('inception_date_text') }} as inception_date,
        {{ read_date('expiry_date_text') }} as expiry_date,
        {{ read_date('effective_date_text') }} as effective_date,
        {{ read_decimal('gross_written_text', 18, 2) }} as gross_written_premium,
        {{ read_decimal('commission_pct_text', 9, 4) }} as commission_pct,
        {{ read_decimal('taxes_text', 18, 2) }} as taxes,
        {{ read_decimal('sum_insured_text', 18, 2) }} as sum_insured,
        {{ read_decimal('deductible_text', 18, 2) }} as deductible,
        {{ read_integer('version_text') }} as source_version,
        {{ read_timestamp('updated_at_text') }} as updated_at
    from fields

),

checked as (

    select
        *,
        case
            when encoding_error is not null then {{ landing_read_error_reason('encoding_error') }}
            when document is null then 'malformed: not a JSON object'
            when duplicate_key is not null then 'duplicate key: ' || duplicate_key
            when key_problem is not null then key_problem
            when updated_at is null then 'unparsable updated_at: ' || coalesce(updated_at_text, 'null')
            when inception_date is null
                then 'unparsable inception_date: ' || coalesce(inception_date_text, 'null')
            when expiry_date is null
                then 'unparsable expiry_date: ' || coalesce(expiry_date_text, 'null')
            when effective_date is null
                then 'unparsable effective_date: ' || coalesce(effective_date_text, 'null')
            when gross_written_premium is null
                then 'unparsable premium.gross_written: ' || coalesce(gross_written_text, 'null')
            when commission_pct_text is not null and commission_pct is null
                then 'unparsable premium.commission_pct: ' || commission_pct_text
            when taxes_text is not null and taxes is null
                then 'unparsable premium.taxes: ' || taxes_text
            when sum_insured is null
                then 'unparsable sum_insured: ' || coalesce(sum_insured_text, 'null')
            when deductible_text is not null and deductible is null
                then 'unparsable deductible: ' || deductible_text
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
    {{ run_processed_at() }} as processed_at
from checked
where {{ not_erased('policies', 'checked') }}
