{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='policy_id',
        on_schema_change='fail',
        post_hook="{{ forget_vanished_latest(this, 'base_landing__policies', 'policy_id') }}",
    )
}}
{#- The latest accepted version of each policy (macros/history/latest_wins.sql:
    latest updated_at wins, ties to the later file; incremental by the natural key). -#}
with

{{ latest_wins('base_landing__policies', 'policy_id') }}

select
    policy_id,
    policy_number,
    insured_id,
    line_code,
    treaty_ids,
    policy_status,
    inception_date,
    expiry_date,
    currency,
    gross_written_premium,
    commission_pct,
    taxes,
    effective_date,
    sum_insured,
    deductible,
    coverages,
    underwriter_id,
    underwriter_name,
    broker_id,
    broker_name,
    broker_country_code,
    record_status,
    source_version,
    updated_at,
    unexpected_fields,
    {{ latest_wins_columns() }}
from ranked
where recency = 1
