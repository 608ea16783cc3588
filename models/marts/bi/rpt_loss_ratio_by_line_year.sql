{#- The saved query loss_ratio_by_line_year as a table: gross earned premium (by earned
    year), gross incurred (by accident year), and the gross and net loss ratios on an
    accident-year basis, by the policy's current line (null for a policy not in the lake). -#}
with

policy_months as (

    select * from {{ ref('rpt_policy_months_wide') }}

),

claims as (

    select * from {{ ref('rpt_claims_wide') }}

),

policies as (

    select * from {{ ref('dim_policies_current') }}

),

premium as (

    select
        policies.line_code,
        cast({{ dbt.date_trunc('year', 'policy_months.report_month') }} as date) as year_start,
        sum(policy_months.earned_premium_usd) as gross_earned_premium,
        sum(policy_months.net_earned_premium_usd) as net_earned_premium,
        cast(null as decimal(38, 2)) as gross_incurred_loss,
        cast(null as decimal(38, 2)) as net_incurred_loss
    from policy_months
    left join policies on policy_months.policy_id = policies.policy_id
    group by policies.line_code, cast({{ dbt.date_trunc('year', 'policy_months.report_month') }} as date)

),

losses as (

    select
        policies.line_code,
        cast({{ dbt.date_trunc('year', 'claims.loss_month') }} as date) as year_start,
        cast(null as decimal(38, 2)) as gross_earned_premium,
        cast(null as decimal(38, 2)) as net_earned_premium,
        sum(claims.gross_incurred_loss_usd) as gross_incurred_loss,
        sum(claims.net_incurred_loss_usd) as net_incurred_loss
    from claims
    left join policies on claims.policy_id = policies.policy_id
    group by policies.line_code, cast({{ dbt.date_trunc('year', 'claims.loss_month') }} as date)

),

parts as (

    select * from premium
    union all
    select * from losses

),

by_line_year as (

    select
        line_code,
        year_start,
        sum(gross_earned_premium) as gross_earned_premium,
        sum(net_earned_premium) as net_earned_premium,
        sum(gross_incurred_loss) as gross_incurred_loss,
        sum(net_incurred_loss) as net_incurred_loss
    from parts
    group by line_code, year_start

)

select
    cast(line_code as varchar) as line_code,
    cast(year_start as date) as year_start,
    cast(gross_earned_premium as decimal(38, 2)) as gross_earned_premium,
    cast(gross_incurred_loss as decimal(38, 2)) as gross_incurred_loss,
    cast(gross_incurred_loss as double) / nullif(cast(gross_earned_premium as double), 0)
        as gross_loss_ratio,
    cast(net_incurred_loss as double) / nullif(cast(net_earned_premium as double), 0)
        as net_loss_ratio
from by_line_year
