{#- Large losses: every claim whose latest incurred (USD at the loss month) reaches the
    threshold (var large_loss_threshold_usd, default 1,000,000), largest first, with its
    line, the policy's sum insured and what share of its line's incurred it is.
    Compile: dbt compile --select large_losses; run the SQL in target/compiled/. -#}
{%- set threshold = var('large_loss_threshold_usd', 1000000) -%}
with

claims as (

    select * from {{ ref('fct_claims') }}
    where not is_deleted

),

policies as (

    select * from {{ ref('dim_policies') }}

),

lines as (

    select * from {{ ref('dim_specialty_lines') }}
    where is_current

),

line_totals as (

    select
        line_code,
        sum(incurred_amount_usd) as line_incurred_usd
    from claims
    group by line_code

),

large as (

    select
        claims.claim_id,
        claims.policy_id,
        claims.line_code,
        claims.loss_date,
        claims.reported_date,
        claims.claim_status,
        claims.cause_of_loss,
        claims.loss_country_code,
        claims.currency,
        claims.incurred_amount,
        claims.incurred_amount_usd,
        claims.paid_amount_usd,
        claims.reserve_amount_usd
    from claims
    where claims.incurred_amount_usd >= {{ threshold }}

)

select
    large.claim_id,
    large.policy_id,
    large.line_code,
    lines.line_name,
    lines.line_group,
    large.loss_date,
    large.reported_date,
    large.claim_status,
    large.cause_of_loss,
    large.loss_country_code,
    large.incurred_amount_usd,
    large.paid_amount_usd,
    large.reserve_amount_usd,
    policies.sum_insured,
    policies.currency as policy_currency,
    case
        when policies.currency = large.currency and policies.sum_insured > 0
            then round(large.incurred_amount / policies.sum_insured, 4)
    end as incurred_to_sum_insured,
    round(large.incurred_amount_usd / nullif(line_totals.line_incurred_usd, 0), 4) as share_of_line_incurred,
    rank() over (order by large.incurred_amount_usd desc) as loss_rank
from large
left join policies
    on large.policy_id = policies.policy_id and policies.is_current
left join lines on large.line_code = lines.line_code
left join line_totals on large.line_code = line_totals.line_code
order by loss_rank, large.claim_id
