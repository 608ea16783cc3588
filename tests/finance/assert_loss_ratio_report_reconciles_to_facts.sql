{#- The loss-ratio report adds up to the facts it summarises: gross earned USD to
    fct_earned_premiums, gross incurred USD to the claims, and ceded earned and incurred USD
    to fct_reinsurance_cessions (within a cent per row of rounding for ceded earned, which
    the report computes per policy and month and the fact per policy and treaty). Returns a
    row per measure that does not reconcile. -#}
with

report as (

    select * from {{ ref('rpt_loss_ratio_by_line_month') }}

),

earned as (

    select * from {{ ref('fct_earned_premiums') }}

),

cessions as (

    select * from {{ ref('fct_reinsurance_cessions') }}

),

claims as (

    select * from {{ ref('int_finance__claims') }}

),

report_totals as (

    select
        sum(gross_earned_premium_usd) as gross_earned_usd,
        sum(ceded_earned_premium_usd) as ceded_earned_usd,
        sum(gross_incurred_loss_usd) as gross_incurred_usd,
        sum(ceded_incurred_loss_usd) as ceded_incurred_usd
    from report

),

fact_totals as (

    select
        (select sum(earned_premium_usd) from earned) as gross_earned_usd,
        (select sum(ceded_earned_premium_usd) from cessions) as ceded_earned_usd,
        (select count(*) from cessions) as cession_rows,
        (select count(*) from earned) as earned_rows,
        (select sum(incurred_amount_usd) from claims) as gross_incurred_usd,
        (select sum(ceded_incurred_loss_usd) from cessions) as ceded_incurred_usd

),

compared as (

    select 'gross_earned_usd' as measure, report_totals.gross_earned_usd as report_value,
        fact_totals.gross_earned_usd as fact_value, 0 as tolerance
    from report_totals cross join fact_totals
    union all
    select 'ceded_earned_usd', report_totals.ceded_earned_usd, fact_totals.ceded_earned_usd,
        0.01 * (fact_totals.cession_rows + fact_totals.earned_rows)
    from report_totals cross join fact_totals
    union all
    select 'gross_incurred_usd', report_totals.gross_incurred_usd, fact_totals.gross_incurred_usd, 0
    from report_totals cross join fact_totals
    union all
    select 'ceded_incurred_usd', report_totals.ceded_incurred_usd, fact_totals.ceded_incurred_usd, 0
    from report_totals cross join fact_totals

)

select *
from compared
where abs(coalesce(report_value, 0) - coalesce(fact_value, 0)) > tolerance
