{#- Incurred losses as at the valuation date, one row per claim: gross incurred (the
    claim's version written on or before the valuation date, int_finance__claims), the
    part ceded to the policy's treaties (int_finance__claim_cessions: proportional shares,
    then excess-of-loss layers) and net, in USD at the loss month and in the policy's
    currency. The loss-ratio report is the sum of these columns by line and loss month.
    Incremental (delete+insert by claim, docs/incremental.md): a claim's row depends on its
    rows of int_finance__claims and int_finance__claim_cessions, so a run recomputes the
    claims recomputed there since its last run and the claims on a policy whose treaties
    or versions changed since then (its cessions may be gone); the post-hooks delete the
    claims gone from int_finance__claims and set valuation_date on the other rows. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='claim_id',
        on_schema_change='fail',
        post_hook=[
            "{{ forget_keys_gone_from(this, 'claim_id', ref('int_finance__claims')) }}",
            "{{ recut_valuation_date(this) }}",
        ],
    )
}}
-- depends_on: {{ ref('int_finance__policy_treaties') }}
-- depends_on: {{ ref('int_policies__versions') }}
with

all_claims as (

    select * from {{ ref('int_finance__claims') }}

),

all_claim_cessions as (

    select * from {{ ref('int_finance__claim_cessions') }}

),

{% if is_incremental() %}
    touched_claims as (

        select claim_id from all_claims
        where {{ processed_since_last_run() }}
        union
        select claim_id from all_claim_cessions
        where {{ processed_since_last_run() }}
        union
        {{ claims_of_policies_recomputed_upstream('all_claims') }}

    ),
{% endif %}

claims as (

    {{ rows_with_touched_keys('all_claims', 'touched_claims', 'claim_id') }}

),

claim_cessions as (

    {{ rows_with_touched_keys('all_claim_cessions', 'touched_claims', 'claim_id') }}

),

valuation as (

    select * from {{ ref('dim_valuation_date') }}

),

ceded_per_claim as (

    select
        claim_id,
        sum(ceded_incurred) as ceded_incurred,
        sum(ceded_incurred_usd) as ceded_incurred_usd
    from claim_cessions
    group by claim_id

),

netted as (

    select
        claims.*,
        coalesce(ceded_per_claim.ceded_incurred, 0) as ceded_incurred,
        coalesce(ceded_per_claim.ceded_incurred_usd, 0) as ceded_incurred_usd
    from claims
    left join ceded_per_claim on claims.claim_id = ceded_per_claim.claim_id

)

select
    cast(netted.claim_id as varchar) as claim_id,
    cast(netted.policy_id as varchar) as policy_id,
    cast(netted.line_code as varchar) as line_code,
    netted.is_unknown_policy,
    cast(netted.loss_date as date) as loss_date,
    cast(netted.loss_month as date) as loss_month,
    cast(valuation.valuation_date as date) as valuation_date,
    cast(netted.claim_currency as varchar) as claim_currency,
    cast(netted.policy_currency as varchar) as policy_currency,
    cast(netted.incurred_amount as decimal(18, 2)) as gross_incurred_loss,
    cast(netted.incurred_amount_policy_currency as decimal(18, 2)) as gross_incurred_loss_policy_currency,
    cast(netted.ceded_incurred as decimal(18, 2)) as ceded_incurred_loss_policy_currency,
    cast(netted.incurred_amount_policy_currency - netted.ceded_incurred as decimal(18, 2))
        as net_incurred_loss_policy_currency,
    cast(netted.incurred_amount_usd as decimal(18, 2)) as gross_incurred_loss_usd,
    cast(netted.ceded_incurred_usd as decimal(18, 2)) as ceded_incurred_loss_usd,
    cast(netted.incurred_amount_usd - netted.ceded_incurred_usd as decimal(18, 2)) as net_incurred_loss_usd,
    {{ run_processed_at() }} as processed_at
from netted
cross join valuation
