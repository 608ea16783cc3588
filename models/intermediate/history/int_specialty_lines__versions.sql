{#- Every version of each specialty line found in the lake, in system time: exact duplicates and
    re-deliveries counted once, versions ordered by updated_at whatever order they arrived
    in (a tie goes to the later file). valid_to is the next version's valid_from. -#}
{{ entity_versions('base_landing__specialty_lines', 'line_code', 'line_version_key') }}
