{#- One row per policy, treaty and calendar month with premium ceded or a loss recovered:
    the reinsurance side of the semantic layer. Ceded written and earned premium = the
    policy's written and earned premium of the month (rpt_policy_months_wide, USD) x the
    treaty's ceded premium rate (fct_reinsurance_cessions), rounded to the cent; recovered
    = the incurred ceded to the treaty on the policy's claims with a loss in the month
    (int_finance__claim_cessions, USD at the loss month). Treaty type and reinsurer are the
    treaty's current version. -#}
with

policy_months as (

    select * from {{ ref('rpt_policy_months_wide') }}

),

cessions as (

    select * from {{ ref('fct_reinsurance_cessions') }}

),

claim_cessions as (

    select * from {{ ref('int_finance__claim_cessions') }}

),

treaties as (

    select * from {{ ref('dim_reinsurance_treaties') }}
    where is_current and not is_unknown_member

),

premium_ceded as (

    select
        cessions.policy_id,
        cessions.treaty_id,
        policy_months.report_month,
        round(
            cast(policy_months.written_premium_usd as decimal(38, 12))
            * cast(cessions.ceded_premium_rate as decimal(38, 12)),
            2
        )
            as ceded_written_premium_usd,
        round(
            cast(policy_months.earned_premium_usd as decimal(38, 12))
            * cast(cessions.ceded_premium_rate as decimal(38, 12)),
            2
        )
            as ceded_earned_premium_usd,
        cast(0 as decimal(18, 2)) as ceded_incurred_loss_usd
    from cessions
    inner join policy_months on cessions.policy_id = policy_months.policy_id

),

losses_ceded as (

    select
        policy_id,
        treaty_id,
        loss_month as report_month,
        cast(0 as decimal(18, 2)) as ceded_written_premium_usd,
        cast(0 as decimal(18, 2)) as ceded_earned_premium_usd,
        sum(ceded_incurred_usd) as ceded_incurred_loss_usd
    from claim_cessions
    group by policy_id, treaty_id, loss_month

),

movements as (

    select * from premium_ceded
    union all
    select * from losses_ceded

),

by_month as (

    select
        policy_id,
        treaty_id,
        report_month,
        sum(ceded_written_premium_usd) as ceded_written_premium_usd,
        sum(ceded_earned_premium_usd) as ceded_earned_premium_usd,
        sum(ceded_incurred_loss_usd) as ceded_incurred_loss_usd
    from movements
    group by policy_id, treaty_id, report_month

)

select
    cast(by_month.policy_id as varchar) as policy_id,
    cast(by_month.treaty_id as varchar) as treaty_id,
    cast(by_month.report_month as date) as report_month,
    cast(coalesce(treaties.treaty_type, 'unknown') as varchar) as treaty_type,
    cast(coalesce(treaties.reinsurer_name, 'unknown') as varchar) as reinsurer_name,
    cast(by_month.ceded_written_premium_usd as decimal(18, 2)) as ceded_written_premium_usd,
    cast(by_month.ceded_earned_premium_usd as decimal(18, 2)) as ceded_earned_premium_usd,
    cast(by_month.ceded_incurred_loss_usd as decimal(18, 2)) as ceded_incurred_loss_usd
from by_month
left join treaties on by_month.treaty_id = treaties.treaty_id
