{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
        post_hook="{{ forget_erased_records(this, 'claims') }}",
    )
}}
{#- Every landed claims line, parsed and typed, with its quarantine reason. Fields the
    contract does not know (schema drift) are listed in `unexpected_fields`. -#}
{%- set known = [
    'claim_id', 'policy_id', 'loss_date', 'reported_date', 'status', 'cause_of_loss',
    'loss_location', 'currency', 'amounts', 'adjuster', 'record_status', 'updated_at',
] -%}
with

landed as (

    {{ unparsed_lines('claims') }}

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
        {{ json_text('document', ['claim_id']) }} as claim_id,
        {{ json_text('document', ['policy_id']) }} as policy_id,
        {{ json_text('document', ['loss_date']) }} as loss_date_text,
        {{ json_text('document', ['reported_date']) }} as reported_date_text,
        {{ json_text('document', ['status']) }} as claim_status,
        {{ json_text('document', ['cause_of_loss']) }} as cause_of_loss,
        {{ json_text('document', ['loss_location', 'country_code']) }} as loss_country_code,
        {{ json_text('document', ['loss_location', 'region']) }} as loss_region,
        {{ json_text('document', ['currency']) }} as currency,
        {{ json_number_text('document', 'line', ['amounts', 'paid']) }} as paid_text,
        {{ json_number_text('document', 'line', ['amounts', 'reserve']) }} as reserve_text,
        {{ json_number_text('document', 'line', ['amounts', 'recovered']) }} as recovered_text,
        {{ json_text('document', ['adjuster', 'id']) }} as adjuster_id,
        {{ json_text('document', ['adjuster', 'name']) }} as adjuster_name,
        {{ json_text('document', ['record_status']) }} as record_status,
        {{ json_text('document', ['updated_at']) }} as updated_at_text,
        {{ json_unexpected_keys('document', known) }} as unexpected_fields
    from parsed

),

typed as (

    select
        *,
        {{ key_problem(['claim_id', 'policy_id']) }} as key_problem,
        {{ json_duplicate_key('document', ['loss_location', 'amounts', 'adjuster']) }} as duplicate_key,
        {{ read_date('loss_date_text') }} as loss_date,
        {{ read_date('reported_date_text') }} as reported_date,
        {{ read_decimal('paid_text', 18, 2) }} as paid_amount,
        {{ read_decimal('reserve_text', 18, 2) }} as reserve_amount,
        {{ read_decimal('recovered_text', 18, 2) }} as recovered_amount,
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
            when loss_date is null then 'unparsable loss_date: ' || coalesce(loss_date_text, 'null')
            when reported_date is null
                then 'unparsable reported_date: ' || coalesce(reported_date_text, 'null')
            when paid_amount is null then 'unparsable amounts.paid: ' || coalesce(paid_text, 'null')
            when reserve_amount is null
                then 'unparsable amounts.reserve: ' || coalesce(reserve_text, 'null')
            when recovered_amount is null
                then 'unparsable amounts.recovered: ' || coalesce(recovered_text, 'null')
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
    {{ run_processed_at() }} as processed_at
from checked
where {{ not_erased('claims', 'checked') }}
