{#- One row per line of business and calendar month, as at the valuation date: gross,
    ceded and net earned premium (by earned month, fct_earned_premiums) and incurred
    losses (claims' incurred as at the valuation date, by loss month, fct_incurred_losses),
    in USD, and the gross and net loss ratios (incurred / earned; null when earned is 0).
    Every amount is a sum of the facts' columns, so a net loss ratio at any other grain is
    computed from the facts the same way. A line the specialty-lines reference does not
    hold (claims of policies not in the lake, policies naming an unknown line such as
    ZZZ-UNKNOWN) is reported under line_code 'unknown', the unknown member of
    dim_specialty_lines. -#}
with

earned_premiums as (

    select * from {{ ref('fct_earned_premiums') }}

),

incurred_losses as (

    select * from {{ ref('fct_incurred_losses') }}

),

known_lines as (

    select distinct line_code from {{ ref('dim_specialty_lines') }}

),

earned_by_line_month as (

    select
        coalesce(known_lines.line_code, 'unknown') as line_code,
        earned_premiums.earned_month as report_month,
        sum(earned_premiums.earned_premium_usd) as gross_earned_premium_usd,
        sum(earned_premiums.ceded_earned_premium_usd) as ceded_earned_premium_usd
    from earned_premiums
    left join known_lines on earned_premiums.line_code = known_lines.line_code
    group by coalesce(known_lines.line_code, 'unknown'), earned_premiums.earned_month

),

incurred_by_line_month as (

    select
        coalesce(known_lines.line_code, 'unknown') as line_code,
        incurred_losses.loss_month as report_month,
        sum(incurred_losses.gross_incurred_loss_usd) as gross_incurred_loss_usd,
        sum(incurred_losses.ceded_incurred_loss_usd) as ceded_incurred_loss_usd
    from incurred_losses
    left join known_lines on incurred_losses.line_code = known_lines.line_code
    group by coalesce(known_lines.line_code, 'unknown'), incurred_losses.loss_month

),

combined as (

    select
        coalesce(earned_by_line_month.line_code, incurred_by_line_month.line_code) as line_code,
        coalesce(earned_by_line_month.report_month, incurred_by_line_month.report_month) as report_month,
        coalesce(earned_by_line_month.gross_earned_premium_usd, 0) as gross_earned_premium_usd,
        coalesce(earned_by_line_month.ceded_earned_premium_usd, 0) as ceded_earned_premium_usd,
        coalesce(incurred_by_line_month.gross_incurred_loss_usd, 0) as gross_incurred_loss_usd,
        coalesce(incurred_by_line_month.ceded_incurred_loss_usd, 0) as ceded_incurred_loss_usd
    from earned_by_line_month
    full outer join incurred_by_line_month
        on
            earned_by_line_month.line_code = incurred_by_line_month.line_code
            and earned_by_line_month.report_month = incurred_by_line_month.report_month

),

netted as (

    select
        *,
        gross_earned_premium_usd - ceded_earned_premium_usd as net_earned_premium_usd,
        gross_incurred_loss_usd - ceded_incurred_loss_usd as net_incurred_loss_usd
    from combined

)

select
    cast(line_code as varchar) as line_code,
    cast(report_month as date) as report_month,
    cast(gross_earned_premium_usd as decimal(18, 2)) as gross_earned_premium_usd,
    cast(ceded_earned_premium_usd as decimal(18, 2)) as ceded_earned_premium_usd,
    cast(net_earned_premium_usd as decimal(18, 2)) as net_earned_premium_usd,
    cast(gross_incurred_loss_usd as decimal(18, 2)) as gross_incurred_loss_usd,
    cast(ceded_incurred_loss_usd as decimal(18, 2)) as ceded_incurred_loss_usd,
    cast(net_incurred_loss_usd as decimal(18, 2)) as net_incurred_loss_usd,
    {{ safe_ratio('gross_incurred_loss_usd', 'gross_earned_premium_usd') }} as gross_loss_ratio,
    {{ safe_ratio('net_incurred_loss_usd', 'net_earned_premium_usd') }} as net_loss_ratio
from netted
