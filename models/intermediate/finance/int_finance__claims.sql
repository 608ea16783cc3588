{{ config(materialized='table') }}
{#- One row per claim as at the valuation date (its latest version written on or before
    the valuation date; claims whose version then is a soft delete left out): incurred =
    paid + reserve - recovered, in the claim's currency, in USD at the loss month's rate,
    and in the policy's currency through USD at the loss month. A claim whose policy is
    not in the lake is kept with line_code 'unknown'. -#}
with

claim_versions as (

    select * from {{ ref('int_claims__versions') }}

),

valuation as (

    select * from {{ ref('dim_valuation_date') }}

),

known_claim_versions as (

    select
        claim_versions.*,
        row_number() over (
            partition by claim_versions.claim_id order by claim_versions.valid_from desc
        ) as recency
    from claim_versions
    cross join valuation
    where cast(claim_versions.valid_from as date) <= valuation.valuation_date

),

claims as (

    select * from known_claim_versions
    where recency = 1 and not is_deleted

),

policy_versions as (

    select * from {{ ref('int_policies__versions') }}
    where is_current

),

fx_rates as (

    select * from {{ ref('fx_rates_monthly') }}

),

joined as (

    select
        claims.claim_id,
        claims.policy_id,
        coalesce(policy_versions.line_code, 'unknown') as line_code,
        policy_versions.policy_id is null as is_unknown_policy,
        claims.loss_date,
        cast({{ dbt.date_trunc('month', 'claims.loss_date') }} as date) as loss_month,
        claims.currency as claim_currency,
        coalesce(policy_versions.currency, claims.currency) as policy_currency,
        claims.paid_amount + claims.reserve_amount - claims.recovered_amount as incurred_amount
    from claims
    left join policy_versions on claims.policy_id = policy_versions.policy_id

),

rated as (

    select
        joined.*,
        cast(claim_fx.usd_per_unit as decimal(38, 8)) as claim_usd_per_unit,
        cast(policy_fx.usd_per_unit as decimal(38, 8)) as policy_usd_per_unit
    from joined
    left join fx_rates as claim_fx
        on
            joined.claim_currency = claim_fx.currency
            and cast(claim_fx.month as date) = joined.loss_month
    left join fx_rates as policy_fx
        on
            joined.policy_currency = policy_fx.currency
            and cast(policy_fx.month as date) = joined.loss_month

)

select
    claim_id,
    policy_id,
    line_code,
    is_unknown_policy,
    loss_date,
    loss_month,
    claim_currency,
    policy_currency,
    claim_usd_per_unit,
    policy_usd_per_unit,
    cast(incurred_amount as decimal(18, 2)) as incurred_amount,
    {{ to_money(convert_currency(
        'incurred_amount', 'claim_currency', 'policy_currency',
        'claim_usd_per_unit', 'policy_usd_per_unit'
    )) }} as incurred_amount_policy_currency,
    {{ money_times('incurred_amount', 'claim_usd_per_unit') }} as incurred_amount_usd
from rated
