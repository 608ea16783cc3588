{#- Every landed specialty-lines row, split and typed, with its quarantine reason. -#}
with

landed as (

    select * from {{ source('landing', 'specialty_lines') }}
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
        {{ csv_field('fields', 1) }} as line_code,
        {{ csv_field('fields', 2) }} as line_name,
        {{ csv_field('fields', 3) }} as line_group,
        {{ csv_field('fields', 4) }} as is_active_text,
        {{ csv_field('fields', 5) }} as record_status,
        {{ csv_field('fields', 6) }} as updated_at_text
    from split

),

typed as (

    select
        *,
        {{ read_boolean('is_active_text') }} as is_active,
        {{ read_timestamp('updated_at_text') }} as updated_at
    from fields

),

checked as (

    select
        *,
        case
            when encoding_error is not null then 'invalid encoding: bytes that are not UTF-8'
            when field_count != 6
                then 'malformed: ' || cast(field_count as varchar) || ' fields, expected 6'
            when line_code is null then 'missing line_code'
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
    updated_at
from checked
