{#- The saved query frequency_severity_by_line_group_year as a table: claims (by accident
    year), earned policy-years (by earned year), frequency = claims per earned policy-year
    and severity = gross incurred per claim, by the policy's current line group. -#}
with

line_years as (

    select * from {{ ref('rpt_line_years') }}

),

by_group_year as (

    select
        line_group,
        year_start,
        sum(claim_count) as claim_count,
        sum(earned_exposure) as earned_exposure,
        sum(gross_incurred_loss) as gross_incurred_loss
    from line_years
    group by line_group, year_start

)

select
    cast(line_group as varchar) as line_group,
    cast(year_start as date) as year_start,
    cast(claim_count as bigint) as claim_count,
    cast(earned_exposure as decimal(38, 6)) as earned_exposure,
    cast(claim_count as double) / nullif(cast(earned_exposure as double), 0) as claim_frequency,
    cast(gross_incurred_loss as double) / nullif(cast(claim_count as double), 0) as claim_severity
from by_group_year
