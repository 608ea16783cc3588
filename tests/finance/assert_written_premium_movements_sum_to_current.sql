{#- The written premium movements of each policy add up to its current written premium,
    in the policy currency and in USD. Returns the policies where they do not. -#}
with

premiums as (

    select * from {{ ref('fct_policy_premiums') }}

),

per_policy as (

    select
        policy_id,
        sum(written_premium_movement) as movements,
        sum(written_premium_movement_usd) as movements_usd,
        sum(case when is_current then gross_written_premium else 0 end) as current_written,
        sum(case when is_current then gross_written_premium_usd else 0 end) as current_written_usd
    from premiums
    group by policy_id

)

select *
from per_policy
where movements != current_written or movements_usd != current_written_usd
