{#- The saved query book_by_line_group as a table, for tools that cannot call MetricFlow:
    the book at the valuation date by line group (the policy's current line group, null
    for a policy that is not in the lake). Sums over all months to date; unearned premium
    and policies in force are the balances of the last month (the valuation month). -#}
with

policy_months as (

    select * from {{ ref('rpt_policy_months_wide') }}

),

claims as (

    select * from {{ ref('rpt_claims_wide') }}

),

cessions as (

    select * from {{ ref('rpt_treaty_months_wide') }}

),

policies as (

    select * from {{ ref('dim_policies_current') }}

),

last_month as (

    select max(report_month) as report_month from policy_months

),

premium as (

    select
        policies.line_group,
        sum(policy_months.written_premium_usd) as gross_written_premium,
        sum(policy_months.earned_premium_usd) as gross_earned_premium,
        sum(policy_months.net_earned_premium_usd) as net_earned_premium,
        sum(
            case
                when policy_months.report_month = last_month.report_month
                    then policy_months.unearned_premium_usd
            end
        ) as unearned_premium,
        sum(
            case
                when policy_months.report_month = last_month.report_month
                    then case when policy_months.is_in_force_at_month_end then 1 else 0 end
            end
        ) as policies_in_force,
        cast(null as decimal(38, 2)) as gross_incurred_loss,
        cast(null as decimal(38, 2)) as net_incurred_loss,
        cast(null as decimal(38, 2)) as ceded_written_premium
    from policy_months
    cross join last_month
    left join policies on policy_months.policy_id = policies.policy_id
    group by policies.line_group

),

losses as (

    select
        policies.line_group,
        cast(null as decimal(38, 2)) as gross_written_premium,
        cast(null as decimal(38, 2)) as gross_earned_premium,
        cast(null as decimal(38, 2)) as net_earned_premium,
        cast(null as decimal(38, 2)) as unearned_premium,
        cast(null as bigint) as policies_in_force,
        sum(claims.gross_incurred_loss_usd) as gross_incurred_loss,
        sum(claims.net_incurred_loss_usd) as net_incurred_loss,
        cast(null as decimal(38, 2)) as ceded_written_premium
    from claims
    left join policies on claims.policy_id = policies.policy_id
    group by policies.line_group

),

ceded as (

    select
        policies.line_group,
        cast(null as decimal(38, 2)) as gross_written_premium,
        cast(null as decimal(38, 2)) as gross_earned_premium,
        cast(null as decimal(38, 2)) as net_earned_premium,
        cast(null as decimal(38, 2)) as unearned_premium,
        cast(null as bigint) as policies_in_force,
        cast(null as decimal(38, 2)) as gross_incurred_loss,
        cast(null as decimal(38, 2)) as net_incurred_loss,
        sum(cessions.ceded_written_premium_usd) as ceded_written_premium
    from cessions
    left join policies on cessions.policy_id = policies.policy_id
    group by policies.line_group

),

parts as (

    select * from premium
    union all
    select * from losses
    union all
    select * from ceded

),

book as (

    select
        line_group,
        sum(gross_written_premium) as gross_written_premium,
        sum(ceded_written_premium) as ceded_written_premium,
        sum(gross_earned_premium) as gross_earned_premium,
        sum(net_earned_premium) as net_earned_premium,
        sum(gross_incurred_loss) as gross_incurred_loss,
        sum(net_incurred_loss) as net_incurred_loss,
        sum(unearned_premium) as unearned_premium,
        sum(policies_in_force) as policies_in_force
    from parts
    group by line_group

)

select
    cast(line_group as varchar) as line_group,
    cast(gross_written_premium as decimal(38, 2)) as gross_written_premium,
    cast(
        case
            when gross_written_premium is not null or ceded_written_premium is not null
                then coalesce(gross_written_premium, 0) - coalesce(ceded_written_premium, 0)
        end as decimal(38, 2)
    ) as net_written_premium,
    cast(gross_earned_premium as decimal(38, 2)) as gross_earned_premium,
    cast(net_earned_premium as decimal(38, 2)) as net_earned_premium,
    cast(gross_incurred_loss as decimal(38, 2)) as gross_incurred_loss,
    cast(net_incurred_loss as decimal(38, 2)) as net_incurred_loss,
    cast(gross_incurred_loss as double) / nullif(cast(gross_earned_premium as double), 0)
        as gross_loss_ratio,
    cast(net_incurred_loss as double) / nullif(cast(net_earned_premium as double), 0)
        as net_loss_ratio,
    cast(unearned_premium as decimal(38, 2)) as unearned_premium,
    cast(policies_in_force as bigint) as policies_in_force
from book
