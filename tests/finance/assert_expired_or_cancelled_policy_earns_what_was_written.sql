{#- Every policy that has expired or is cancelled (its latest version known at the
    valuation date), endorsed or not, whatever versions reached the warehouse, has earned
    exactly what was written: the sum of its earned premium as at the valuation date equals
    the sum of its written movements to date, to the cent, in the policy currency and in
    USD. A cancelled policy's written premium is the premium it retains. Returns the
    policies where it does not hold. -#}
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

known as (

    select
        premiums.*,
        row_number() over (partition by premiums.policy_id order by premiums.version_number desc)
            as recency
    from premiums
    cross join valuation
    where cast(premiums.valid_from as date) <= valuation.valuation_date

),

ended as (

    select
        policy_id,
        policy_status,
        gross_written_premium as latest_full_term_premium
    from known
    where recency = 1 and policy_status in ('expired', 'cancelled') and not is_deleted

),

written as (

    select
        policy_id,
        sum(written_premium_movement) as written_premium,
        sum(written_premium_movement_usd) as written_premium_usd
    from premiums
    where is_written_to_date
    group by policy_id

),

earned_per_policy as (

    select
        policy_id,
        sum(earned_premium) as earned_premium,
        sum(earned_premium_usd) as earned_premium_usd
    from earned
    group by policy_id

)

select
    ended.policy_id,
    ended.policy_status,
    ended.latest_full_term_premium,
    written.written_premium,
    earned_per_policy.earned_premium,
    written.written_premium_usd,
    earned_per_policy.earned_premium_usd
from ended
left join written on ended.policy_id = written.policy_id
left join earned_per_policy on ended.policy_id = earned_per_policy.policy_id
where
    coalesce(written.written_premium, 0) != coalesce(earned_per_policy.earned_premium, 0)
    or coalesce(written.written_premium_usd, 0) != coalesce(earned_per_policy.earned_premium_usd, 0)
    or (
        ended.policy_status = 'cancelled'
        and coalesce(written.written_premium, 0) != ended.latest_full_term_premium
    )
