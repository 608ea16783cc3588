{#- Files that landing refused: they do not match their manifest (size or SHA-256), or
    their content changed after they landed. Each row names the file and why; the other
    files landed. Pending and skipped files are warnings in the run summary, not here. -#}
select
    source_name,
    file_name,
    reason
from {{ ref('stg_landing__file_issues') }}
where severity = 'error'
