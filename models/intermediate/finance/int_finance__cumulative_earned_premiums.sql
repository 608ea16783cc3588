{{ config(materialized='view') }}
{#- One row per policy, calendar month and basis: the premium the policy has earned from
    inception through the end of the month, as at the valuation date (the "as at" cut;
    docs/incremental.md). A view, so that a new day (a moved valuation date) rewrites no
    table:
    - the rows that do not depend on the valuation date come from the incremental table
      int_finance__earned_premium_months: for a policy whose every version is known at
      the valuation date, its 'schedule' months and its 'booked' months closed before the
      valuation date;
    - the rest is computed here (cumulative_earned_ctes at dim_valuation_date): the
      'booked' valuation month (through the valuation date) of those policies, and every
      month of the policies with a version known after the valuation date (a pinned,
      earlier valuation date) or with no stored row.
    - basis 'booked': known at the month's end, through the month's end; the valuation
      month stops at the valuation date and later months are left out. A version written
      late (a back-dated endorsement) moves the earned of the month it was written in.
    - basis 'schedule': known at the valuation date, through each month's end, for every
      month of the term: the earning pattern the planning needs. -#}
with

earned_premium_months as (

    select * from {{ ref('int_finance__earned_premium_months') }}

),

all_premium_versions as (

    select * from {{ ref('int_finance__premium_versions') }}

),

all_premium_periods as (

    select * from {{ ref('int_finance__premium_periods') }}

),

valuation as (

    select * from {{ ref('dim_valuation_date') }}

),

fx_rates as (

    select * from {{ ref('fx_rates_monthly') }}

),

calendar as (

    select * from {{ ref('dim_dates') }}

),

months as (

    select distinct
        month_start,
        month_end
    from calendar

),

{#- the policies whose every version is known at the valuation date: their stored rows
    are their rows as at the valuation date -#}
known_policies as (

    select distinct earned_premium_months.policy_id
    from earned_premium_months
    cross join valuation
    where earned_premium_months.last_known_date <= valuation.valuation_date

),

stored as (

    select earned_premium_months.*
    from earned_premium_months
    cross join valuation
    where
        earned_premium_months.last_known_date <= valuation.valuation_date
        and (
            earned_premium_months.basis = 'schedule'
            or earned_premium_months.through_date < valuation.valuation_date
        )

),

{#- the known policies with a month at the valuation month: that month is computed -#}
open_month_policies as (

    select earned_premium_months.policy_id
    from earned_premium_months
    cross join valuation
    where
        earned_premium_months.basis = 'booked'
        and earned_premium_months.earned_month = valuation.valuation_month
        and earned_premium_months.last_known_date <= valuation.valuation_date

),

computed_policies as (

    select
        all_premium_versions.policy_id,
        max(case when known_policies.policy_id is null then 1 else 0 end) as is_computed_in_full
    from all_premium_versions
    left join known_policies on all_premium_versions.policy_id = known_policies.policy_id
    left join open_month_policies on all_premium_versions.policy_id = open_month_policies.policy_id
    where known_policies.policy_id is null or open_month_policies.policy_id is not null
    group by all_premium_versions.policy_id

),

premium_versions as (

    select all_premium_versions.*
    from all_premium_versions
    inner join computed_policies on all_premium_versions.policy_id = computed_policies.policy_id

),

premium_periods as (

    select all_premium_periods.*
    from all_premium_periods
    inner join computed_policies on all_premium_periods.policy_id = computed_policies.policy_id

),

{{ cumulative_earned_ctes(
    "evaluations.policy_id in (select in_full.policy_id from computed_policies as in_full where in_full.is_computed_in_full = 1)"
    ~ " or (evaluations.basis = 'booked' and evaluations.month_start = valuation.valuation_month)"
) }}

as_at as (

    select
        policy_id,
        earned_month,
        basis,
        through_date,
        as_of_version_number,
        line_code,
        currency,
        days_in_force,
        fx_usd_per_unit,
        cumulative_earned_premium,
        cumulative_earned_premium_usd
    from stored
    union all
    select
        policy_id,
        earned_month,
        basis,
        through_date,
        as_of_version_number,
        line_code,
        currency,
        days_in_force,
        fx_usd_per_unit,
        cumulative_earned_premium,
        cumulative_earned_premium_usd
    from cumulative_earned

)

select
    as_at.policy_id,
    as_at.earned_month,
    as_at.basis,
    as_at.through_date,
    as_at.as_of_version_number,
    as_at.line_code,
    as_at.currency,
    as_at.days_in_force,
    as_at.fx_usd_per_unit,
    as_at.cumulative_earned_premium,
    as_at.cumulative_earned_premium_usd,
    valuation.valuation_date
from as_at
cross join valuation
