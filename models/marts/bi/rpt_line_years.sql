{#- Premium, exposure and losses by line and year, on the bases the metrics use: earned
    premium and exposure by earned year, claims and incurred by accident year, each by the
    policy's current line (null for claims of policies not in the lake). The saved-query
    tables by line and by line group read it, so that both count the same way. -#}
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

earned as (

    select
        policies.line_code,
        policies.line_group,
        cast({{ dbt.date_trunc('year', 'policy_months.report_month') }} as date) as year_start,
        sum(policy_months.earned_premium_usd) as gross_earned_premium,
        sum(policy_months.net_earned_premium_usd) as net_earned_premium,
        sum(policy_months.earned_exposure_years) as earned_exposure,
        cast(null as bigint) as claim_count,
        cast(null as decimal(38, 2)) as gross_incurred_loss,
        cast(null as decimal(38, 2)) as net_incurred_loss
    from policy_months
    left join policies on policy_months.policy_id = policies.policy_id
    group by
        policies.line_code,
        policies.line_group,
        cast({{ dbt.date_trunc('year', 'policy_months.report_month') }} as date)

),

incurred as (

    select
        policies.line_code,
        policies.line_group,
        cast({{ dbt.date_trunc('year', 'claims.loss_month') }} as date) as year_start,
        cast(null as decimal(38, 2)) as gross_earned_premium,
        cast(null as decimal(38, 2)) as net_earned_premium,
        cast(null as decimal(38, 6)) as earned_exposure,
        sum(claims.claim_count) as claim_count,
        sum(claims.gross_incurred_loss_usd) as gross_incurred_loss,
        sum(claims.net_incurred_loss_usd) as net_incurred_loss
    from claims
    left join policies on claims.policy_id = policies.policy_id
    group by
        policies.line_code,
        policies.line_group,
        cast({{ dbt.date_trunc('year', 'claims.loss_month') }} as date)

),

parts as (

    select * from earned
    union all
    select * from incurred

),

line_years as (

    select
        line_code,
        line_group,
        year_start,
        sum(gross_earned_premium) as gross_earned_premium,
        sum(net_earned_premium) as net_earned_premium,
        sum(earned_exposure) as earned_exposure,
        sum(claim_count) as claim_count,
        sum(gross_incurred_loss) as gross_incurred_loss,
        sum(net_incurred_loss) as net_incurred_loss
    from parts
    group by line_code, line_group, year_start

)

select
    cast(line_code as varchar) as line_code,
    cast(line_group as varchar) as line_group,
    cast(year_start as date) as year_start,
    cast(gross_earned_premium as decimal(38, 2)) as gross_earned_premium,
    cast(net_earned_premium as decimal(38, 2)) as net_earned_premium,
    cast(earned_exposure as decimal(38, 6)) as earned_exposure,
    cast(claim_count as bigint) as claim_count,
    cast(gross_incurred_loss as decimal(38, 2)) as gross_incurred_loss,
    cast(net_incurred_loss as decimal(38, 2)) as net_incurred_loss
from line_years
