{#- One row per claim as at the valuation date, for BI tools: the claim's dates, status and
    flags (fct_claims), its line and line group, the policy's terms and the insured's
    country, type and risk rating at the loss date (no personal data), the policy's treaty
    programme, and gross, ceded and net incurred in USD (fct_incurred_losses).
    Incremental (delete+insert by claim, docs/incremental.md): a claim's row depends on its
    rows of fct_incurred_losses and fct_claims (which recompute a claim when its policy,
    insured or line has a new version), the dimension versions they key to, and its
    policy's treaty programme; a run recomputes the claims recomputed in either since its
    last run and the claims on a policy whose treaties changed since then (a policy's new
    version reaches it through fct_claims, which recomputes the policy's claims). The
    post-hooks delete the claims gone from fct_incurred_losses and set valuation_date on the
    other rows. -#}
{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='claim_id',
        on_schema_change='fail',
        post_hook=[
            "{{ forget_keys_gone_from(this, 'claim_id', ref('fct_incurred_losses')) }}",
            "{{ recut_valuation_date(this) }}",
        ],
    )
}}
with

all_incurred_losses as (

    select * from {{ ref('fct_incurred_losses') }}

),

all_claims as (

    select * from {{ ref('fct_claims') }}

),

{% if is_incremental() %}
    touched_claims as (

        select claim_id from all_incurred_losses
        where {{ processed_since_last_run() }}
        union
        select claim_id from all_claims
        where {{ processed_since_last_run() }}
        union
        {{ claims_of_policies_recomputed_upstream('all_incurred_losses', with_policy_versions=false) }}

    ),
{% endif %}

incurred_losses as (

    {{ rows_with_touched_keys('all_incurred_losses', 'touched_claims', 'claim_id') }}

),

claims as (

    {{ rows_with_touched_keys('all_claims', 'touched_claims', 'claim_id') }}

),

policies as (

    select * from {{ ref('dim_policies') }}
    {%- if is_incremental() %}
        where policy_version_key in (select scoped_claims.policy_version_key from claims as scoped_claims)
    {%- endif %}

),

insureds as (

    select * from {{ ref('dim_insureds') }}
    {%- if is_incremental() %}
        where insured_version_key in (select scoped_claims.insured_version_key from claims as scoped_claims)
    {%- endif %}

),

lines as (

    select * from {{ ref('dim_specialty_lines') }}

),

policy_treaties as (

    select * from {{ ref('int_finance__policy_treaties') }}
    {%- if is_incremental() %}
        where policy_id in (select scoped_losses.policy_id from incurred_losses as scoped_losses)
    {%- endif %}

),

programmes as (

    select
        policy_id,
        count(*) as treaty_count,
        {{ dbt.listagg('treaty_id', "', '", 'order by treaty_id') }} as treaty_ids,
        {{ dbt.listagg("coalesce(treaty_type, 'unknown')", "', '", 'order by treaty_id') }} as treaty_types
    from policy_treaties
    group by policy_id

)

select
    cast(incurred_losses.claim_id as varchar) as claim_id,
    cast(incurred_losses.policy_id as varchar) as policy_id,
    cast(incurred_losses.valuation_date as date) as valuation_date,
    cast(claims.loss_date as date) as loss_date,
    cast(claims.reported_date as date) as reported_date,
    cast({{ dbt.date_trunc('month', 'claims.loss_date') }} as date) as loss_month,
    cast(extract(year from claims.loss_date) as integer) as accident_year,
    cast(claims.claim_status as varchar) as claim_status,
    cast(claims.cause_of_loss as varchar) as cause_of_loss,
    cast(claims.loss_country_code as varchar) as loss_country_code,
    cast(claims.currency as varchar) as claim_currency,
    cast(claims.line_code as varchar) as line_code,
    cast(lines.line_name as varchar) as line_name,
    cast(lines.line_group as varchar) as line_group,
    cast(policies.policy_status as varchar) as policy_status,
    cast(policies.inception_date as date) as policy_inception_date,
    cast(policies.expiry_date as date) as policy_expiry_date,
    cast(extract(year from policies.inception_date) as integer) as underwriting_year,
    cast(policies.currency as varchar) as policy_currency,
    cast(policies.sum_insured as decimal(18, 2)) as sum_insured,
    cast(policies.deductible as decimal(18, 2)) as deductible,
    cast(insureds.country_code as varchar) as insured_country_code,
    cast(insureds.insured_type as varchar) as insured_type,
    cast(insureds.risk_rating as varchar) as insured_risk_rating,
    cast(coalesce(programmes.treaty_count, 0) as bigint) as treaty_count,
    cast(programmes.treaty_ids as varchar) as treaty_ids,
    cast(programmes.treaty_types as varchar) as treaty_types,
    cast(claims.paid_amount_usd as decimal(18, 2)) as paid_amount_usd,
    cast(claims.reserve_amount_usd as decimal(18, 2)) as reserve_amount_usd,
    cast(claims.recovered_amount_usd as decimal(18, 2)) as recovered_amount_usd,
    cast(incurred_losses.gross_incurred_loss_usd as decimal(18, 2)) as gross_incurred_loss_usd,
    cast(incurred_losses.ceded_incurred_loss_usd as decimal(18, 2)) as ceded_incurred_loss_usd,
    cast(incurred_losses.net_incurred_loss_usd as decimal(18, 2)) as net_incurred_loss_usd,
    cast(1 as bigint) as claim_count,
    claims.is_unknown_policy,
    claims.has_business_rule_breach,
    claims.is_loss_before_inception,
    claims.is_reported_before_loss,
    claims.is_negative_amount,
    {{ run_processed_at() }} as processed_at
from incurred_losses
inner join claims on incurred_losses.claim_id = claims.claim_id
left join policies on claims.policy_version_key = policies.policy_version_key
left join insureds on claims.insured_version_key = insureds.insured_version_key
left join lines on claims.line_version_key = lines.line_version_key
left join programmes on incurred_losses.policy_id = programmes.policy_id
