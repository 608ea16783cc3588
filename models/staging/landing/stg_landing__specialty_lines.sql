{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='line_code',
        on_schema_change='fail',
        post_hook="{{ forget_vanished_latest(this, 'base_landing__specialty_lines', 'line_code') }}",
    )
}}
{#- The latest accepted version of each specialty line (macros/history/latest_wins.sql:
    latest updated_at wins, ties to the later file; incremental by the natural key). -#}
with

{{ latest_wins('base_landing__specialty_lines', 'line_code') }}

select
    line_code,
    line_name,
    line_group,
    is_active,
    record_status,
    updated_at,
    {{ latest_wins_columns() }}
from ranked
where recency = 1
