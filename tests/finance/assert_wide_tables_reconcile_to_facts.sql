{#- The BI wide tables add up to the facts: claims' gross, ceded and net incurred to
    fct_incurred_losses; policy months' written to the movements written to date, earned
    (gross, ceded, net) to fct_earned_premiums, exposure to fct_policy_exposures, and the
    valuation month's unearned to fct_unearned_premiums. Returns each measure that differs. -#}
with

claims_wide as (

    select * from {{ ref('rpt_claims_wide') }}

),

policy_months_wide as (

    select * from {{ ref('rpt_policy_months_wide') }}

),

valuation as (

    select * from {{ ref('dim_valuation_date') }}

),

compared as (

    select
        'claims gross incurred' as measure,
        (select sum(gross_incurred_loss_usd) from claims_wide) as wide_value,
        (select sum(gross_incurred_loss_usd) from {{ ref('fct_incurred_losses') }}) as fact_value
    union all
    select
        'claims net incurred',
        (select sum(net_incurred_loss_usd) from claims_wide),
        (select sum(net_incurred_loss_usd) from {{ ref('fct_incurred_losses') }})
    union all
    select
        'written to date',
        (select sum(written_premium_usd) from policy_months_wide),
        (
            select sum(written_premium_movement_usd) from {{ ref('fct_policy_premiums') }}
            where is_written_to_date
        )
    union all
    select
        'gross earned',
        (select sum(earned_premium_usd) from policy_months_wide),
        (select sum(earned_premium_usd) from {{ ref('fct_earned_premiums') }})
    union all
    select
        'net earned',
        (select sum(net_earned_premium_usd) from policy_months_wide),
        (select sum(net_earned_premium_usd) from {{ ref('fct_earned_premiums') }})
    union all
    select
        'earned exposure',
        (select sum(earned_exposure_years) from policy_months_wide),
        (select sum(earned_exposure_years) from {{ ref('fct_policy_exposures') }})
    union all
    select
        'unearned at the valuation date',
        (
            select sum(policy_months_wide.unearned_premium_usd)
            from policy_months_wide
            inner join valuation on policy_months_wide.report_month = valuation.valuation_month
        ),
        (select sum(unearned_premium_usd) from {{ ref('fct_unearned_premiums') }})

)

select *
from compared
where coalesce(wide_value, 0) != coalesce(fact_value, 0)
