{#- Volume-weighted age-to-age (link) factors of the loss triangles, per origin basis,
    measure and development age: factor(a -> a + 3) = sum over origin periods of the
    cumulative at age a + 3 / the sum of the same periods' cumulative at age a, all lines
    together. Only pairs whose later age is a full age count (a latest diagonal cut at the
    valuation date would understate its link). Compile with `dbt compile --select
    age_to_age_factors` and run the SQL in target/compiled/, or use `dbt show`. -#}
with

triangles as (

    select * from {{ ref('fct_loss_triangles') }}

),

by_origin as (

    select
        origin_basis,
        origin_start,
        development_age_months,
        max(case when is_full_age then 1 else 0 end) as is_full_age,
        sum(cumulative_paid_usd) as cumulative_paid_usd,
        sum(cumulative_incurred_usd) as cumulative_incurred_usd,
        sum(cumulative_reported_count) as cumulative_reported_count
    from triangles
    group by origin_basis, origin_start, development_age_months

),

pairs as (

    select
        earlier.origin_basis,
        earlier.development_age_months as from_age_months,
        later.development_age_months as to_age_months,
        earlier.origin_start,
        earlier.cumulative_paid_usd as paid_from,
        later.cumulative_paid_usd as paid_to,
        earlier.cumulative_incurred_usd as incurred_from,
        later.cumulative_incurred_usd as incurred_to,
        earlier.cumulative_reported_count as reported_from,
        later.cumulative_reported_count as reported_to
    from by_origin as earlier
    inner join by_origin as later
        on
            earlier.origin_basis = later.origin_basis
            and earlier.origin_start = later.origin_start
            and earlier.development_age_months + 3 = later.development_age_months
    where later.is_full_age = 1

)

select
    origin_basis,
    from_age_months,
    to_age_months,
    count(*) as origin_periods,
    {{ safe_ratio('sum(paid_to)', 'sum(paid_from)') }} as paid_factor,
    {{ safe_ratio('sum(incurred_to)', 'sum(incurred_from)') }} as incurred_factor,
    {{ safe_ratio('sum(reported_to)', 'sum(reported_from)') }} as reported_count_factor
from pairs
group by origin_basis, from_age_months, to_age_months
order by origin_basis, from_age_months
