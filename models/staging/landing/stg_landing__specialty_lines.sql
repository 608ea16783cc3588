{#- The latest accepted version of each specialty line: latest updated_at wins, ties
    broken by the later file (ingest date, then file name, then record number). A soft
    delete is the latest version with is_deleted = true. -#}
{{ latest_wins('base_landing__specialty_lines', 'line_code', [
    'line_code',
    'line_name',
    'line_group',
    'is_active',
    'record_status',
    'updated_at',
]) }}
