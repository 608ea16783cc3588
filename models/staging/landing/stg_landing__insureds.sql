{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='insured_id',
        on_schema_change='fail',
        post_hook="{{ forget_vanished_latest(this, 'base_landing__insureds', 'insured_id') }}",
    )
}}
{#- The latest accepted version of each insured (macros/history/latest_wins.sql:
    latest updated_at wins, ties to the later file; incremental by the natural key). -#}
with

{{ latest_wins('base_landing__insureds', 'insured_id') }}

select
    insured_id,
    insured_type,
    full_name,
    email,
    phone,
    date_of_birth,
    industry,
    address_line,
    city,
    region,
    postal_code,
    country_code,
    annual_revenue_usd,
    risk_rating,
    record_status,
    created_at,
    updated_at,
    {{ latest_wins_columns() }}
from ranked
where recency = 1
