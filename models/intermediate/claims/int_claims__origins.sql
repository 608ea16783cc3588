{{ config(materialized='table') }}
{#- One row per claim known at the valuation date and origin basis: the origin period the
    claim develops in. Accident year and accident quarter of its loss date, underwriting
    year of its policy's inception (none when the policy is not in the lake). The loss
    date and currency are the claim's latest version written on or before the valuation
    date; line_code the policy's current line ('unknown' when the policy is not in the
    lake). -#}
with

claim_versions as (

    select * from {{ ref('int_claims__versions') }}

),

policy_versions as (

    select * from {{ ref('int_policies__versions') }}
    where is_current

),

valuation as (

    select * from {{ ref('dim_valuation_date') }}

),

known_versions as (

    select claim_versions.*
    from claim_versions
    cross join valuation
    where cast(claim_versions.valid_from as date) <= valuation.valuation_date

),

claims as (

    select
        known_versions.claim_id,
        known_versions.loss_date,
        known_versions.currency,
        coalesce(policy_versions.line_code, 'unknown') as line_code,
        policy_versions.inception_date as policy_inception_date,
        row_number() over (
            partition by known_versions.claim_id order by known_versions.valid_from desc
        ) as recency
    from known_versions
    left join policy_versions on known_versions.policy_id = policy_versions.policy_id

),

claim_origins as (

    select
        claim_id,
        line_code,
        currency,
        loss_date,
        'accident_year' as origin_basis,
        cast({{ dbt.date_trunc('year', 'loss_date') }} as date) as origin_start
    from claims
    where recency = 1
    union all
    select
        claim_id,
        line_code,
        currency,
        loss_date,
        'accident_quarter' as origin_basis,
        cast({{ dbt.date_trunc('quarter', 'loss_date') }} as date) as origin_start
    from claims
    where recency = 1
    union all
    select
        claim_id,
        line_code,
        currency,
        loss_date,
        'underwriting_year' as origin_basis,
        cast({{ dbt.date_trunc('year', 'policy_inception_date') }} as date) as origin_start
    from claims
    where recency = 1 and policy_inception_date is not null

)

select
    claim_id,
    origin_basis,
    origin_start,
    line_code,
    currency,
    loss_date
from claim_origins
