{#- Files that landing refused: they do not match their manifest (size or SHA-256), or
    their content changed after they landed. Each row names the file and why; the other
    files landed. Pending and skipped files are warnings in the run summary, not here. -#}
select
    source_table,
    file_name,
    reason
from {{ source('landing', 'landing_issues') }}
where severity = 'error'
