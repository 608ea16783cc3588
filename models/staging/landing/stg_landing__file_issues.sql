{#- What landing did not land as of its last run, one row per file (or folder), with the
    severity the build gives it: errors fail the build (assert_no_file_refused_at_landing),
    warnings are listed in the run summary. -#}
with

issues as (

    select * from {{ source('landing', 'landing_issues') }}

)

select
    source_table as source_name,
    file_name,
    severity,
    reason,
    seen_at
from issues
