{#- A cancelled policy earns in total its retained premium (the cancellation version's
    written premium): its earning stops at the cancellation's effective date. Tolerance:
    half a cent per earning month (monthly rounding) plus a cent (the source rounds the
    retained premium to the cent). Policies whose history is incomplete
    (int_policies__incomplete_history) are left out: a lost or late version breaks the
    arithmetic by construction. Returns the policies where it does not hold. -#}
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

cancelled as (

    select
        policy_id,
        gross_written_premium as retained_premium
    from premiums
    where is_current and policy_status = 'cancelled' and not is_deleted

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
    cancelled.policy_id,
    cancelled.retained_premium,
    earned_per_policy.earned_premium,
    earned_per_policy.earning_months
from cancelled
left join earned_per_policy on cancelled.policy_id = earned_per_policy.policy_id
where
    abs(coalesce(earned_per_policy.earned_premium, 0) - cancelled.retained_premium)
        > 0.01 + 0.005 * coalesce(earned_per_policy.earning_months, 0)
    and cancelled.policy_id not in (select policy_id from incomplete_history)
