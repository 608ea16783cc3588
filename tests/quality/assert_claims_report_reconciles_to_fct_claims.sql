{#- The claims report and the claims fact must agree: per reported day and line, the
    report's claim count and incurred (USD) equal those of fct_claims (latest versions,
    soft deletes excluded). Returns every day and line where they differ. -#}
with from_facts as (
    select
        reported_date,
        line_code,
        count(*) as claims_reported,
        sum(incurred_amount_usd) as incurred_amount_usd
    from {{ ref('fct_claims') }}
    where not is_deleted
    group by reported_date, line_code
),

from_report as (
    select reported_date, line_code, claims_reported, incurred_amount_usd
    from {{ ref('rpt_claims_per_day') }}
)

select
    coalesce(f.reported_date, r.reported_date) as reported_date,
    coalesce(f.line_code, r.line_code) as line_code,
    f.claims_reported as fact_claims,
    r.claims_reported as report_claims,
    f.incurred_amount_usd as fact_incurred_usd,
    r.incurred_amount_usd as report_incurred_usd
from from_facts as f
full outer join from_report as r
    on f.reported_date = r.reported_date and f.line_code = r.line_code
where
    f.reported_date is null
    or r.reported_date is null
    or f.claims_reported != r.claims_reported
    or abs(f.incurred_amount_usd - r.incurred_amount_usd) > 0.01
