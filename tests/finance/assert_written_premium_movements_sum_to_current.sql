{#- The written premium movements of each policy add up to its current written premium to
    expiry, in the policy currency and in USD, and that is what its last premium version
    earns in total: for a policy never endorsed, with its whole history in the lake, its
    full-term premium (a lost endorsement shows as a movement at expiry). Returns the
    policies where they do not. -#}
with

premiums as (

    select * from {{ ref('fct_policy_premiums') }}

),

incomplete_history as (

    select policy_id from {{ ref('int_policies__incomplete_history') }}

),

per_policy as (

    select
        policy_id,
        sum(written_premium_movement) as movements,
        sum(written_premium_movement_usd) as movements_usd,
        sum(case when is_current then written_premium_to_expiry else 0 end) as current_written,
        sum(case when is_current then written_premium_to_expiry_usd else 0 end) as current_written_usd,
        max(case when policy_status = 'endorsed' or is_deleted then 1 else 0 end) as is_endorsed_or_deleted,
        sum(case when is_current then gross_written_premium else 0 end) as current_full_term
    from premiums
    group by policy_id

)

select *
from per_policy
where
    movements != current_written
    or movements_usd != current_written_usd
    or (
        is_endorsed_or_deleted = 0
        and current_written != current_full_term
        and policy_id not in (select policy_id from incomplete_history)
    )
