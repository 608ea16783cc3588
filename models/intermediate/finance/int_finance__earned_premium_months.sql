{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='policy_id',
        on_schema_change='fail',
        post_hook="{{ forget_keys_not_in(this, 'policy_id', ref('int_finance__premium_versions')) }}",
    )
}}
{#- One row per policy, calendar month of its term and basis: the cumulative earned premium
    that does not depend on the valuation date (docs/incremental.md), and the date the
    policy's last version became known.
    - basis 'booked': known at the month's end, through the month's end, for every month
      of the term (the closed months of int_finance__cumulative_earned_premiums);
    - basis 'schedule': known with every version landed, through each month's end.
    That is cumulative_earned_ctes at a valuation date later than any data: a new day
    (a moved valuation date) changes no row. The as-at cut (the valuation month through
    the valuation date, the policies with a version known after it) is the view
    int_finance__cumulative_earned_premiums.
    Incremental: a policy's rows depend on its own premium versions only, so a run
    recomputes the policies with a version processed since its last run
    (int_policies__versions); the post-hook deletes the policies left with no premium
    version (erased). -#}
-- depends_on: {{ ref('int_policies__versions') }}
with

all_premium_versions as (

    select * from {{ ref('int_finance__premium_versions') }}

),

all_premium_periods as (

    select * from {{ ref('int_finance__premium_periods') }}

),

{% if is_incremental() %}
    policy_versions as (

        select * from {{ ref('int_policies__versions') }}

    ),

    touched_policies as (

        select distinct policy_id
        from policy_versions
        where {{ processed_since_last_run() }}

    ),
{% endif %}

premium_versions as (

    {{ rows_of_touched_keys('all_premium_versions') }}

),

premium_periods as (

    {{ rows_of_touched_keys('all_premium_periods') }}

),

{#- later than any data: every version is known, every month is closed -#}
valuation as (

    select
        cast('2999-12-31' as date) as valuation_date,
        cast('2999-12-01' as date) as valuation_month

),

fx_rates as (

    select * from {{ ref('fx_rates_monthly') }}

),

calendar as (

    select * from {{ ref('dim_dates') }}

),

months as (

    select distinct
        month_start,
        month_end
    from calendar

),

last_known as (

    select
        policy_id,
        max(known_date) as last_known_date
    from premium_versions
    group by policy_id

),

{{ cumulative_earned_ctes() }}

policy_rows as (

    select
        cumulative_earned.*,
        last_known.last_known_date
    from cumulative_earned
    inner join last_known on cumulative_earned.policy_id = last_known.policy_id

)

select
    {{ earned_month_columns() }},
    last_known_date,
    {{ run_processed_at() }} as processed_at
from policy_rows
