{#- The full earning schedule, one row per policy and calendar month through expiry:
    each month's earned premium as the warehouse knows the policy at the valuation date
    (basis 'schedule' of int_finance__cumulative_earned_premiums), months after the
    valuation date included. For planning; reports "to date" use fct_earned_premiums. -#}
{{ monthly_earned_premiums('schedule') }}
