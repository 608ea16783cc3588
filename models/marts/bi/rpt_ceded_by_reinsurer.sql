{#- The saved query ceded_by_reinsurer as a table: written premium ceded to each reinsurer,
    by treaty type, to the valuation date. -#}
with

cessions as (

    select * from {{ ref('rpt_treaty_months_wide') }}

)

select
    cast(reinsurer_name as varchar) as reinsurer_name,
    cast(treaty_type as varchar) as treaty_type,
    cast(sum(ceded_written_premium_usd) as decimal(38, 2)) as ceded_written_premium
from cessions
group by reinsurer_name, treaty_type
