{#- Loss development triangles as at the valuation date: paid and incurred losses (USD at
    the loss month) and reported claim counts, by origin period (accident year, accident
    quarter, underwriting year = the policy's inception year) and line, at development
    ages of 3, 6, 9, ... months from the start of the origin period, each as the source
    knew it at the age's evaluation date: every claim at its latest version written
    (updated_at) on or before that date. The last age of each origin period is evaluated
    at the valuation date (the latest diagonal). Cumulative and incremental. -#}
with

claim_versions as (

    select * from {{ ref('int_claims__versions') }}

),

claim_origins as (

    select * from {{ ref('int_claims__origins') }}

),

valuation as (

    select * from {{ ref('dim_valuation_date') }}

),

fx_rates as (

    select * from {{ ref('fx_rates_monthly') }}

),

ages as (

    select 3 * row_number() over (order by month) as development_age_months
    from (select distinct month from fx_rates) as calendar

),

known_versions as (

    select claim_versions.*
    from claim_versions
    cross join valuation
    where cast(claim_versions.valid_from as date) <= valuation.valuation_date

),

cells as (

    select distinct
        claim_origins.origin_basis,
        claim_origins.origin_start,
        claim_origins.line_code,
        ages.development_age_months,
        cast({{ dbt.dateadd('day', -1, dbt.dateadd('month', 'ages.development_age_months', 'claim_origins.origin_start')) }} as date)
            as age_end_date,
        valuation.valuation_date
    from claim_origins
    cross join ages
    cross join valuation
    where
        cast({{ dbt.dateadd('month', 'ages.development_age_months - 3', 'claim_origins.origin_start') }} as date)
        <= valuation.valuation_date

),

evaluations as (

    select
        origin_basis,
        origin_start,
        line_code,
        development_age_months,
        age_end_date,
        case when age_end_date < valuation_date then age_end_date else valuation_date end as evaluation_date
    from cells

),

claim_evaluations as (

    select
        evaluations.origin_basis,
        evaluations.origin_start,
        evaluations.line_code,
        evaluations.development_age_months,
        claim_origins.claim_id,
        claim_origins.loss_date,
        claim_origins.currency,
        known_versions.paid_amount,
        known_versions.paid_amount + known_versions.reserve_amount - known_versions.recovered_amount
            as incurred_amount,
        known_versions.is_deleted,
        row_number() over (
            partition by
                evaluations.origin_basis,
                evaluations.development_age_months,
                claim_origins.claim_id
            order by known_versions.valid_from desc
        ) as recency
    from evaluations
    inner join claim_origins
        on
            evaluations.origin_basis = claim_origins.origin_basis
            and evaluations.origin_start = claim_origins.origin_start
            and evaluations.line_code = claim_origins.line_code
    inner join known_versions
        on
            claim_origins.claim_id = known_versions.claim_id
            and evaluations.evaluation_date >= cast(known_versions.valid_from as date)

),

valued as (

    select
        claim_evaluations.*,
        {{ money_times('claim_evaluations.paid_amount', 'fx_rates.usd_per_unit') }} as paid_usd,
        {{ money_times('claim_evaluations.incurred_amount', 'fx_rates.usd_per_unit') }} as incurred_usd
    from claim_evaluations
    left join fx_rates
        on
            claim_evaluations.currency = fx_rates.currency
            and cast({{ dbt.date_trunc('month', 'claim_evaluations.loss_date') }} as date) = fx_rates.month
    where claim_evaluations.recency = 1 and not claim_evaluations.is_deleted

),

cumulative as (

    select
        evaluations.origin_basis,
        evaluations.origin_start,
        evaluations.line_code,
        evaluations.development_age_months,
        evaluations.age_end_date,
        evaluations.evaluation_date,
        coalesce(sum(valued.paid_usd), 0) as cumulative_paid_usd,
        coalesce(sum(valued.incurred_usd), 0) as cumulative_incurred_usd,
        count(valued.claim_id) as cumulative_reported_count
    from evaluations
    left join valued
        on
            evaluations.origin_basis = valued.origin_basis
            and evaluations.origin_start = valued.origin_start
            and evaluations.line_code = valued.line_code
            and evaluations.development_age_months = valued.development_age_months
    group by
        evaluations.origin_basis,
        evaluations.origin_start,
        evaluations.line_code,
        evaluations.development_age_months,
        evaluations.age_end_date,
        evaluations.evaluation_date

),

incremental as (

    select
        *,
        cumulative_paid_usd - coalesce(lag(cumulative_paid_usd) over (
            partition by origin_basis, origin_start, line_code order by development_age_months
        ), 0) as incremental_paid_usd,
        cumulative_incurred_usd - coalesce(lag(cumulative_incurred_usd) over (
            partition by origin_basis, origin_start, line_code order by development_age_months
        ), 0) as incremental_incurred_usd,
        cumulative_reported_count - coalesce(lag(cumulative_reported_count) over (
            partition by origin_basis, origin_start, line_code order by development_age_months
        ), 0) as incremental_reported_count,
        max(development_age_months) over (
            partition by origin_basis, origin_start, line_code
        ) as latest_age_months
    from cumulative

)

select
    cast(origin_basis as varchar) as origin_basis,
    cast(origin_start as date) as origin_start,
    cast(line_code as varchar) as line_code,
    cast(development_age_months as integer) as development_age_months,
    cast(evaluation_date as date) as evaluation_date,
    evaluation_date = age_end_date as is_full_age,
    development_age_months = latest_age_months as is_latest_diagonal,
    cast(cumulative_paid_usd as decimal(18, 2)) as cumulative_paid_usd,
    cast(cumulative_incurred_usd as decimal(18, 2)) as cumulative_incurred_usd,
    cast(cumulative_reported_count as bigint) as cumulative_reported_count,
    cast(incremental_paid_usd as decimal(18, 2)) as incremental_paid_usd,
    cast(incremental_incurred_usd as decimal(18, 2)) as incremental_incurred_usd,
    cast(incremental_reported_count as bigint) as incremental_reported_count
from incremental
