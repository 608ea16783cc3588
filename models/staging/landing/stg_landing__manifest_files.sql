{#- One row per file listed in a batch manifest: what the lake says it delivered. -#}
with

manifests as (

    select * from {{ source('landing', 'manifests') }}

),

files as (

    select
        {{ json_text('manifests.document', ['batch_id']) }} as batch_id,
        manifests.ingest_date,
        {{ json_text('listed.value', ['source']) }} as source_name,
        {{ json_text('listed.value', ['path']) }} as file_name,
        {{ json_text('listed.value', ['rows']) }} as rows_text,
        {{ json_text('listed.value', ['bytes']) }} as bytes_text,
        {{ json_text('listed.value', ['sha256']) }} as sha256
    from manifests
    {{ unnest_json_array(json_member('manifests.document', ['files']), 'listed') }}

)

select
    batch_id,
    ingest_date,
    source_name,
    file_name,
    cast(rows_text as bigint) as manifest_rows,
    cast(bytes_text as bigint) as manifest_bytes,
    sha256
from files
