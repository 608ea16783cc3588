{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='claim_id',
        on_schema_change='append_new_columns',
        post_hook="{{ forget_erased_claims(this) }}",
    )
}}
{#- One row per claim version (claim_id + updated_at) with the change in paid, reserve,
    recovered and incurred since the previous version. Incremental: a run recomputes every
    version of each claim that received a version parsed after its own last run (the
    versions' processed_at: a late file with an older ingest date counts too), so a late or out-of-order version re-bases the movements after it.
    When the previous runs saw no claim (the table is empty), every claim is in scope. -#}
with

claim_versions as (

    select * from {{ ref('int_claims__versions') }}

),

{% if is_incremental() %}
    touched_claims as (

        select distinct claim_id
        from claim_versions
        where {{ processed_since_last_run() }}

    ),
{% endif %}

in_scope as (

    select claim_versions.*
    from claim_versions
    {% if is_incremental() %}
        inner join touched_claims on claim_versions.claim_id = touched_claims.claim_id
    {% endif %}

),

with_previous as (

    select
        *,
        paid_amount + reserve_amount - recovered_amount as incurred_amount,
        lag(paid_amount) over (partition by claim_id order by updated_at) as previous_paid,
        lag(reserve_amount) over (partition by claim_id order by updated_at) as previous_reserve,
        lag(recovered_amount) over (partition by claim_id order by updated_at) as previous_recovered,
        max(ingest_date) over (partition by claim_id) as latest_ingest_date
    from in_scope

)

select
    claim_version_key,
    claim_id,
    policy_id,
    version_number,
    updated_at,
    claim_status,
    loss_date,
    currency,
    paid_amount,
    reserve_amount,
    recovered_amount,
    incurred_amount,
    paid_amount - coalesce(previous_paid, 0) as paid_movement,
    reserve_amount - coalesce(previous_reserve, 0) as reserve_movement,
    recovered_amount - coalesce(previous_recovered, 0) as recovered_movement,
    incurred_amount
    - coalesce(previous_paid + previous_reserve - previous_recovered, 0) as incurred_movement,
    ingest_date as source_ingest_date,
    latest_ingest_date,
    {{ run_processed_at() }} as processed_at
from with_previous
