{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='treaty_id',
        on_schema_change='fail',
        post_hook="{{ forget_vanished_latest(this, 'base_landing__reinsurance_treaties', 'treaty_id') }}",
    )
}}
{#- The latest accepted version of each treaty (macros/history/latest_wins.sql:
    latest updated_at wins, ties to the later file; incremental by the natural key). -#}
with

{{ latest_wins('base_landing__reinsurance_treaties', 'treaty_id') }}

select
    treaty_id,
    treaty_name,
    reinsurer_name,
    reinsurer_rating,
    treaty_type,
    line_code,
    inception_date,
    expiry_date,
    currency,
    cession_pct,
    retention_amount,
    limit_amount,
    premium_rate_pct,
    commission_pct,
    record_status,
    updated_at,
    {{ latest_wins_columns() }}
from ranked
where recency = 1
