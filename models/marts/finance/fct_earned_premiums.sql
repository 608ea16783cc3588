{#- Earned premium as at the valuation date, one row per policy and calendar month: the
    months up to the valuation month (which stops at the valuation date), each as the
    warehouse knew it at the month's end (basis 'booked' of
    int_finance__cumulative_earned_premiums). Earned in a month = cumulative earned at its
    end - at the previous month's end, both rounded to the cent. Nothing after the
    valuation date earns here; the full pattern is fct_earned_premium_schedule. -#}
{{ monthly_earned_premiums('booked') }}
