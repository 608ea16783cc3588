{#- The saved query frequency_severity_by_line_group_year as a table: claims (by accident
    year), earned policy-years (by earned year), frequency = claims per earned policy-year
    and severity = gross incurred per claim, by the policy's current line group. -#}
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

exposure as (

    select
        policies.line_group,
        cast({{ dbt.date_trunc('year', 'policy_months.report_month') }} as date) as year_start,
        sum(policy_months.earned_exposure_years) as earned_exposure,
        cast(null as bigint) as claim_count,
        cast(null as decimal(38, 2)) as gross_incurred_loss
    from policy_months
    left join policies on policy_months.policy_id = policies.policy_id
    group by policies.line_group, cast({{ dbt.date_trunc('year', 'policy_months.report_month') }} as date)

),

losses as (

    select
        policies.line_group,
        cast({{ dbt.date_trunc('year', 'claims.loss_month') }} as date) as year_start,
        cast(null as decimal(38, 6)) as earned_exposure,
        sum(claims.claim_count) as claim_count,
        sum(claims.gross_incurred_loss_usd) as gross_incurred_loss
    from claims
    left join policies on claims.policy_id = policies.policy_id
    group by policies.line_group, cast({{ dbt.date_trunc('year', 'claims.loss_month') }} as date)

),

parts as (

    select * from exposure
    union all
    select * from losses

),

by_group_year as (

    select
        line_group,
        year_start,
        sum(claim_count) as claim_count,
        sum(earned_exposure) as earned_exposure,
        sum(gross_incurred_loss) as gross_incurred_loss
    from parts
    group by line_group, year_start

)

select
    cast(line_group as varchar) as line_group,
    cast(year_start as date) as year_start,
    cast(claim_count as bigint) as claim_count,
    cast(earned_exposure as decimal(38, 6)) as earned_exposure,
    cast(claim_count as double) / nullif(cast(earned_exposure as double), 0) as claim_frequency,
    cast(gross_incurred_loss as double) / nullif(cast(claim_count as double), 0) as claim_severity
from by_group_year
