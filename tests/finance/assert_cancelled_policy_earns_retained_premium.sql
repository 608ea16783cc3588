{#- A cancelled policy earns in total its retained premium (the cancellation version's
    written premium): its earning stops at the cancellation's effective date. Tolerance:
    half a cent per earning month (monthly rounding) plus a cent (the source rounds the
    retained premium to the cent). Policies whose history is incomplete are left out: a quarantined record, or a
    version not yet arrived (a gap in the source's version numbers), breaks the
    arithmetic by construction. Returns the policies where it does not hold. -#}
with

premiums as (

    select * from {{ ref('fct_policy_premiums') }}

),

earned as (

    select * from {{ ref('fct_earned_premiums') }}

),

quarantined_policies as (

    select distinct
        {{ dbt.split_part(dbt.split_part('raw_line', "'\"policy_id\": \"'", 2), "'\"'", 1) }}
            as policy_id
    from {{ ref('stg_landing__quarantine') }}
    where source_name = 'policies'

    union all

    select policy_id
    from {{ ref('int_policies__versions') }}
    group by policy_id
    having count(distinct source_version) != max(source_version)

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
    and cancelled.policy_id not in (select policy_id from quarantined_policies)
