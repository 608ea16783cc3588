{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='fail',
    )
}}
{#- Every landed specialty-lines row, split and typed, with its quarantine reason. -#}
with

landed as (

    {{ unparsed_lines('specialty_lines') }}

),

{{ csv_records(
    'landed',
    ['line_code', 'line_name', 'line_group', 'is_active', 'record_status', 'updated_at'],
    text_suffix=['is_active', 'updated_at'],
) }},

typed as (

    select
        *,
        {{ key_problem(['line_code']) }} as key_problem,
        {{ read_boolean('is_active_text') }} as is_active,
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
            when is_active is null then 'unparsable is_active: ' || coalesce(is_active_text, 'null')
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
    line_code,
    line_name,
    line_group,
    is_active,
    record_status,
    updated_at,
    {{ run_processed_at() }} as processed_at
from checked
