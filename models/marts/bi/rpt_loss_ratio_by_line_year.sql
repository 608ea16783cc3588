{#- The saved query loss_ratio_by_line_year as a table: gross earned premium (by earned
    year), gross incurred (by accident year), and the gross and net loss ratios on an
    accident-year basis, by the policy's current line (null for a policy not in the lake). -#}
with

line_years as (

    select * from {{ ref('rpt_line_years') }}

),

by_line_year as (

    select
        line_code,
        year_start,
        sum(gross_earned_premium) as gross_earned_premium,
        sum(net_earned_premium) as net_earned_premium,
        sum(gross_incurred_loss) as gross_incurred_loss,
        sum(net_incurred_loss) as net_incurred_loss
    from line_years
    group by line_code, year_start

)

select
    cast(line_code as varchar) as line_code,
    cast(year_start as date) as year_start,
    cast(gross_earned_premium as decimal(38, 2)) as gross_earned_premium,
    cast(gross_incurred_loss as decimal(38, 2)) as gross_incurred_loss,
    cast(gross_incurred_loss as double) / nullif(cast(gross_earned_premium as double), 0)
        as gross_loss_ratio,
    cast(net_incurred_loss as double) / nullif(cast(net_earned_premium as double), 0)
        as net_loss_ratio
from by_line_year
