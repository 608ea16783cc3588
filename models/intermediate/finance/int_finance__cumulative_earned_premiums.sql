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

{{ cumulative_earned_as_at_ctes() }}

valuation_date as (

    select valuation_date from valuation

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
    valuation_date.valuation_date
from as_at
cross join valuation_date
