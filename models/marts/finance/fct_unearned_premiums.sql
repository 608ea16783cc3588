{#- Unearned premium reserve as at the valuation date, one row per policy with premium
    written or earned by then: written to date (the movements dated on or before the
    valuation date), earned to date (fct_earned_premiums, which stops at the valuation
    date) and unearned = written to date - earned to date, never below zero, in the policy
    currency and in USD at the inception month's rate. -#}
with

premiums as (

    select * from {{ ref('fct_policy_premiums') }}

),

earned as (

    select * from {{ ref('fct_earned_premiums') }}

),

valuation as (

    select * from {{ ref('dim_valuation_date') }}

),

known_versions as (

    select
        premiums.*,
        row_number() over (partition by premiums.policy_id order by premiums.version_number desc)
            as recency
    from premiums
    cross join valuation
    where cast(premiums.valid_from as date) <= valuation.valuation_date

),

written_to_date as (

    select
        policy_id,
        sum(written_premium_movement) as written_premium,
        sum(written_premium_movement_usd) as written_premium_usd
    from premiums
    where is_written_to_date
    group by policy_id

),

earned_to_date as (

    select
        policy_id,
        sum(earned_premium) as earned_premium,
        sum(earned_premium_usd) as earned_premium_usd
    from earned
    group by policy_id

),

positions as (

    select
        known_versions.policy_id,
        known_versions.line_code,
        known_versions.currency,
        known_versions.policy_status,
        known_versions.fx_usd_per_unit,
        coalesce(written_to_date.written_premium, 0) as written_premium,
        coalesce(written_to_date.written_premium_usd, 0) as written_premium_usd,
        coalesce(earned_to_date.earned_premium, 0) as earned_premium,
        coalesce(earned_to_date.earned_premium_usd, 0) as earned_premium_usd
    from known_versions
    left join written_to_date on known_versions.policy_id = written_to_date.policy_id
    left join earned_to_date on known_versions.policy_id = earned_to_date.policy_id
    where
        known_versions.recency = 1
        and (written_to_date.policy_id is not null or earned_to_date.policy_id is not null)

)

select
    cast(positions.policy_id as varchar) as policy_id,
    cast(valuation.valuation_date as date) as valuation_date,
    cast(positions.line_code as varchar) as line_code,
    cast(positions.currency as varchar) as currency,
    cast(positions.policy_status as varchar) as policy_status,
    cast(positions.written_premium as decimal(18, 2)) as written_premium_to_date,
    cast(positions.earned_premium as decimal(18, 2)) as earned_premium_to_date,
    cast(
        {{ floored_difference('positions.written_premium', 'positions.earned_premium') }}
        as decimal(18, 2)
    ) as unearned_premium,
    cast(positions.fx_usd_per_unit as decimal(18, 8)) as fx_usd_per_unit,
    cast(positions.written_premium_usd as decimal(18, 2)) as written_premium_to_date_usd,
    cast(positions.earned_premium_usd as decimal(18, 2)) as earned_premium_to_date_usd,
    cast(
        {{ floored_difference('positions.written_premium_usd', 'positions.earned_premium_usd') }}
        as decimal(18, 2)
    ) as unearned_premium_usd
from positions
cross join valuation
