{#- Reconciliation, per batch and source: the data rows the manifests list equal the
    records accepted (typed, before deduplication) plus the records quarantined plus the
    records suppressed by an erasure request (base_landing__erased_records). A file
    listed but not landed, or landed but not listed, breaks it. Returns the rows that do
    not reconcile. -#}
{%- set sources = ['insureds', 'reinsurance_treaties', 'specialty_lines', 'policies', 'claims'] -%}
with

manifest_files as (

    select * from {{ ref('stg_landing__manifest_files') }}

),

landed_records as (

    {% for source_name in sources %}
    select
        '{{ source_name }}' as source_name,
        file_name,
        quarantine_reason
    from {{ ref('base_landing__' ~ source_name) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

erased_files as (

    select
        source_name,
        file_name,
        count(*) as records_suppressed
    from {{ ref('base_landing__erased_records') }}
    group by source_name, file_name

),

landed_files as (

    select
        source_name,
        file_name,
        count(*) as records_read,
        sum(case when quarantine_reason is null then 1 else 0 end) as records_accepted,
        sum(case when quarantine_reason is not null then 1 else 0 end) as records_quarantined
    from landed_records
    group by source_name, file_name

),

per_file as (

    select
        coalesce(manifest_files.batch_id, 'not in any manifest') as batch_id,
        coalesce(manifest_files.source_name, landed_files.source_name) as source_name,
        coalesce(manifest_files.manifest_rows, 0) as manifest_rows,
        coalesce(landed_files.records_accepted, 0) as records_accepted,
        coalesce(landed_files.records_quarantined, 0) as records_quarantined,
        coalesce(erased_files.records_suppressed, 0) as records_suppressed
    from manifest_files
    full outer join landed_files on manifest_files.file_name = landed_files.file_name
    left join erased_files
        on coalesce(manifest_files.file_name, landed_files.file_name) = erased_files.file_name

),

per_batch_and_source as (

    select
        batch_id,
        source_name,
        sum(manifest_rows) as manifest_rows,
        sum(records_accepted) as records_accepted,
        sum(records_quarantined) as records_quarantined,
        sum(records_suppressed) as records_suppressed
    from per_file
    group by batch_id, source_name

)

select *
from per_batch_and_source
where manifest_rows != records_accepted + records_quarantined + records_suppressed
