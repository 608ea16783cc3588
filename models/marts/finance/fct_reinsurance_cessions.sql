{#- One row per written policy and treaty named in the policy's current version: what is
    ceded to the treaty of the policy's gross written premium to date, gross earned
    premium to date and gross incurred losses (claims as at the valuation date), in the
    policy's currency and in USD.
    Proportional treaties cede their share of premium and of each claim; an excess-of-loss
    treaty is paid premium_rate_pct / 100 of the gross premium (earned like the gross)
    and cedes the part of each claim, net of the proportional cessions, inside its layer.
    The policy_gross_* columns repeat the policy's gross on each of its treaty rows: add
    them up per policy, not per row. A treaty id unknown to the lake is kept with null
    attributes and zero cession (is_unknown_treaty); so is a soft-deleted treaty. -#}
with

policy_treaties as (

    select * from {{ ref('int_finance__policy_treaties') }}

),

policy_premiums as (

    select * from {{ ref('fct_policy_premiums') }}

),

earned_premiums as (

    select * from {{ ref('fct_earned_premiums') }}

),

claims as (

    select * from {{ ref('int_finance__claims') }}

),

claim_cessions as (

    select * from {{ ref('int_finance__claim_cessions') }}

),

policy_written as (

    select
        policy_id,
        sum(case when is_written_to_date then written_premium_movement else 0 end) as gross_written_premium,
        sum(case when is_written_to_date then written_premium_movement_usd else 0 end)
            as gross_written_premium_usd
    from policy_premiums
    group by policy_id

),

policy_earned as (

    select
        policy_id,
        sum(earned_premium) as gross_earned_premium,
        sum(earned_premium_usd) as gross_earned_premium_usd
    from earned_premiums
    group by policy_id

),

policy_incurred as (

    select
        policy_id,
        count(*) as claim_count,
        sum(incurred_amount_policy_currency) as gross_incurred_loss,
        sum(incurred_amount_usd) as gross_incurred_loss_usd
    from claims
    group by policy_id

),

treaty_incurred as (

    select
        policy_id,
        treaty_id,
        sum(ceded_incurred) as ceded_incurred_loss,
        sum(ceded_incurred_usd) as ceded_incurred_loss_usd
    from claim_cessions
    group by policy_id, treaty_id

),

joined as (

    select
        policy_treaties.*,
        policy_written.gross_written_premium,
        policy_written.gross_written_premium_usd,
        coalesce(policy_earned.gross_earned_premium, 0) as gross_earned_premium,
        coalesce(policy_earned.gross_earned_premium_usd, 0) as gross_earned_premium_usd,
        coalesce(policy_incurred.claim_count, 0) as claim_count,
        coalesce(policy_incurred.gross_incurred_loss, 0) as gross_incurred_loss,
        coalesce(policy_incurred.gross_incurred_loss_usd, 0) as gross_incurred_loss_usd,
        coalesce(treaty_incurred.ceded_incurred_loss, 0) as ceded_incurred_loss,
        coalesce(treaty_incurred.ceded_incurred_loss_usd, 0) as ceded_incurred_loss_usd
    from policy_treaties
    inner join policy_written on policy_treaties.policy_id = policy_written.policy_id
    left join policy_earned on policy_treaties.policy_id = policy_earned.policy_id
    left join policy_incurred on policy_treaties.policy_id = policy_incurred.policy_id
    left join treaty_incurred
        on
            policy_treaties.policy_id = treaty_incurred.policy_id
            and policy_treaties.treaty_id = treaty_incurred.treaty_id

)

select
    cast(policy_id as varchar) as policy_id,
    cast(treaty_id as varchar) as treaty_id,
    cast(line_code as varchar) as line_code,
    cast(policy_currency as varchar) as policy_currency,
    cast(treaty_type as varchar) as treaty_type,
    cast(treaty_currency as varchar) as treaty_currency,
    is_unknown_treaty,
    is_deleted_treaty,
    cast(ceded_share as decimal(18, 10)) as ceded_share,
    cast(ceded_premium_rate as decimal(18, 10)) as ceded_premium_rate,
    cast(gross_written_premium as decimal(18, 2)) as policy_gross_written_premium,
    cast(gross_written_premium_usd as decimal(18, 2)) as policy_gross_written_premium_usd,
    cast(gross_earned_premium as decimal(18, 2)) as policy_gross_earned_premium,
    cast(gross_earned_premium_usd as decimal(18, 2)) as policy_gross_earned_premium_usd,
    cast(claim_count as bigint) as policy_claim_count,
    cast(gross_incurred_loss as decimal(18, 2)) as policy_gross_incurred_loss,
    cast(gross_incurred_loss_usd as decimal(18, 2)) as policy_gross_incurred_loss_usd,
    {{ to_money('ceded_premium_rate * gross_written_premium') }} as ceded_written_premium,
    {{ to_money('ceded_premium_rate * gross_written_premium_usd') }} as ceded_written_premium_usd,
    {{ to_money('ceded_premium_rate * gross_earned_premium') }} as ceded_earned_premium,
    {{ to_money('ceded_premium_rate * gross_earned_premium_usd') }} as ceded_earned_premium_usd,
    cast(ceded_incurred_loss as decimal(18, 2)) as ceded_incurred_loss,
    cast(ceded_incurred_loss_usd as decimal(18, 2)) as ceded_incurred_loss_usd
from joined
