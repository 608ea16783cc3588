{#- Written premium, from the lake's files to the marts: for each line and currency, the
    policies and the full-term written premium of their latest accepted version as the
    landed files say (staging's typed image of the files: latest updated_at wins), beside
    the same figures in dim_policies' current versions (built from the version history).
    Every difference column is 0 when nothing was lost or altered on the way.
    Compile: dbt compile --select written_premium_lake_to_marts. -#}
with

latest_in_lake as (

    select * from {{ ref('stg_landing__policies') }}

),

current_versions as (

    select * from {{ ref('dim_policies') }}
    where is_current and not is_unknown_member

),

from_lake as (

    select
        line_code,
        currency,
        count(*) as policies,
        sum(gross_written_premium) as gross_written_premium
    from latest_in_lake
    where not is_deleted
    group by line_code, currency

),

from_marts as (

    select
        line_code,
        currency,
        count(*) as policies,
        sum(gross_written_premium) as gross_written_premium
    from current_versions
    where not is_deleted
    group by line_code, currency

)

select
    coalesce(from_lake.line_code, from_marts.line_code) as line_code,
    coalesce(from_lake.currency, from_marts.currency) as currency,
    coalesce(from_lake.policies, 0) as policies_in_lake,
    coalesce(from_marts.policies, 0) as policies_in_marts,
    coalesce(from_lake.policies, 0) - coalesce(from_marts.policies, 0) as policies_difference,
    coalesce(from_lake.gross_written_premium, 0) as written_premium_in_lake,
    coalesce(from_marts.gross_written_premium, 0) as written_premium_in_marts,
    coalesce(from_lake.gross_written_premium, 0)
    - coalesce(from_marts.gross_written_premium, 0) as written_premium_difference
from from_lake
full outer join from_marts
    on from_lake.line_code = from_marts.line_code and from_lake.currency = from_marts.currency
order by line_code, currency
