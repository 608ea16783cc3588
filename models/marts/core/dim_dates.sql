{#- One row per calendar day from 2020-01-01 through 2030-12-31 (the FX reference's span). -#}
with

spine as (

    {{ dbt.date_spine('day', "cast('2020-01-01' as date)", "cast('2031-01-01' as date)") }}

),

days as (

    select cast(date_day as date) as date_day from spine

)

select
    date_day,
    extract(year from date_day) as calendar_year,
    extract(quarter from date_day) as calendar_quarter,
    extract(month from date_day) as calendar_month,
    extract(day from date_day) as day_of_month,
    cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
    cast({{ dbt.last_day('date_day', 'month') }} as date) as month_end
from days
