{#- The loss-ratio report adds up to the facts it summarises, exactly: gross and ceded
    earned USD to fct_earned_premiums' columns, gross and ceded incurred USD to
    fct_incurred_losses' columns; and the facts agree with the cessions by treaty:
    ceded incurred to the cent, ceded earned within a cent per row (fct_reinsurance_cessions
    rounds per policy and treaty, fct_earned_premiums per policy and month). Returns a row
    per measure that does not reconcile. -#}
with

report as (

    select * from {{ ref('rpt_loss_ratio_by_line_month') }}

),

earned as (

    select * from {{ ref('fct_earned_premiums') }}

),

incurred as (

    select * from {{ ref('fct_incurred_losses') }}

),

cessions as (

    select * from {{ ref('fct_reinsurance_cessions') }}

),

report_totals as (

    select
        sum(gross_earned_premium_usd) as gross_earned_usd,
        sum(ceded_earned_premium_usd) as ceded_earned_usd,
        sum(net_earned_premium_usd) as net_earned_usd,
        sum(gross_incurred_loss_usd) as gross_incurred_usd,
        sum(ceded_incurred_loss_usd) as ceded_incurred_usd,
        sum(net_incurred_loss_usd) as net_incurred_usd
    from report

),

fact_totals as (

    select
        (select sum(earned_premium_usd) from earned) as gross_earned_usd,
        (select sum(ceded_earned_premium_usd) from earned) as ceded_earned_usd,
        (select sum(net_earned_premium_usd) from earned) as net_earned_usd,
        (select sum(gross_incurred_loss_usd) from incurred) as gross_incurred_usd,
        (select sum(ceded_incurred_loss_usd) from incurred) as ceded_incurred_usd,
        (select sum(net_incurred_loss_usd) from incurred) as net_incurred_usd,
        (select sum(ceded_earned_premium_usd) from cessions) as cessions_ceded_earned_usd,
        (select sum(ceded_incurred_loss_usd) from cessions) as cessions_ceded_incurred_usd,
        (select count(*) from cessions) + (select count(*) from earned) as rounded_rows

),

compared as (

    select
        'gross_earned_usd' as measure,
        report_totals.gross_earned_usd as report_value,
        fact_totals.gross_earned_usd as fact_value,
        0 as tolerance
    from report_totals cross join fact_totals
    union all
    select 'ceded_earned_usd', report_totals.ceded_earned_usd, fact_totals.ceded_earned_usd, 0
    from report_totals cross join fact_totals
    union all
    select 'net_earned_usd', report_totals.net_earned_usd, fact_totals.net_earned_usd, 0
    from report_totals cross join fact_totals
    union all
    select 'gross_incurred_usd', report_totals.gross_incurred_usd, fact_totals.gross_incurred_usd, 0
    from report_totals cross join fact_totals
    union all
    select 'ceded_incurred_usd', report_totals.ceded_incurred_usd, fact_totals.ceded_incurred_usd, 0
    from report_totals cross join fact_totals
    union all
    select 'net_incurred_usd', report_totals.net_incurred_usd, fact_totals.net_incurred_usd, 0
    from report_totals cross join fact_totals
    union all
    select
        'ceded_incurred_usd vs fct_reinsurance_cessions',
        fact_totals.ceded_incurred_usd,
        fact_totals.cessions_ceded_incurred_usd,
        0
    from fact_totals
    union all
    select
        'ceded_earned_usd vs fct_reinsurance_cessions',
        fact_totals.ceded_earned_usd,
        fact_totals.cessions_ceded_earned_usd,
        0.01 * fact_totals.rounded_rows
    from fact_totals

)

select *
from compared
where abs(coalesce(report_value, 0) - coalesce(fact_value, 0)) > tolerance
