{#- Claims reported and their incurred, per reported day and specialty line, from the
    latest version of each claim only. -#}
with

claims as (

    select * from {{ ref('fct_claims') }}
    where not is_deleted

),

per_day as (

    select
        reported_date,
        line_code,
        count(*) as claims_reported,
        sum(incurred_amount_usd) as incurred_amount_usd,
        sum(paid_amount_usd) as paid_amount_usd,
        -- a sum of integers is a hugeint on DuckDB, a type Snowflake does not have
        cast(sum(case when has_business_rule_breach then 1 else 0 end) as bigint) as claims_with_rule_breach
    from claims
    group by reported_date, line_code

)

select
    reported_date,
    line_code,
    claims_reported,
    incurred_amount_usd,
    paid_amount_usd,
    claims_with_rule_breach
from per_day
