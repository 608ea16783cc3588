{#- A policy that was bound and expired, never endorsed nor cancelled, and whose written
    premium never moved after binding, earns exactly its written premium over its term:
    within half a cent per earning month (each month is rounded to the cent). (A policy
    whose endorsement was quarantined shows a movement at expiry and is left out: it earns
    at the old rate until expiry.) Returns the policies where it does not. -#}
with

premiums as (

    select * from {{ ref('fct_policy_premiums') }}

),

earned as (

    select * from {{ ref('fct_earned_premiums') }}

),

incomplete_history as (

    select policy_id from {{ ref('int_policies__incomplete_history') }}

),

plain_expired as (

    select
        policy_id,
        max(case when is_current then gross_written_premium end) as written_premium
    from premiums
    group by policy_id
    having
        max(case when is_current and policy_status = 'expired' then 1 else 0 end) = 1
        and max(case when policy_status in ('endorsed', 'cancelled') then 1 else 0 end) = 0
        and max(case when is_deleted then 1 else 0 end) = 0
        and sum(case when written_premium_movement != 0 then 1 else 0 end) = 1

),

earned_per_policy as (

    select
        policy_id,
        sum(earned_premium) as earned_premium,
        count(*) as earning_months
    from earned
    group by policy_id

)

select
    plain_expired.policy_id,
    plain_expired.written_premium,
    earned_per_policy.earned_premium,
    earned_per_policy.earning_months
from plain_expired
left join earned_per_policy on plain_expired.policy_id = earned_per_policy.policy_id
where
    (
        earned_per_policy.policy_id is null
        or abs(earned_per_policy.earned_premium - plain_expired.written_premium)
            > 0.005 * earned_per_policy.earning_months
    )
    and plain_expired.policy_id not in (select policy_id from incomplete_history)
