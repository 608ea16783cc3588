{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='claim_id',
        on_schema_change='fail',
        post_hook="{{ forget_vanished_latest(this, 'base_landing__claims', 'claim_id') }}",
    )
}}
{#- The latest accepted version of each claim (macros/history/latest_wins.sql:
    latest updated_at wins, ties to the later file; incremental by the natural key). -#}
with

{{ latest_wins('base_landing__claims', 'claim_id') }}

select
    claim_id,
    policy_id,
    loss_date,
    reported_date,
    claim_status,
    cause_of_loss,
    loss_country_code,
    loss_region,
    currency,
    paid_amount,
    reserve_amount,
    recovered_amount,
    adjuster_id,
    adjuster_name,
    record_status,
    updated_at,
    unexpected_fields,
    {{ latest_wins_columns() }}
from ranked
where recency = 1
