{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='policy_id',
        on_schema_change='fail',
        pre_hook="{{ forget_exposures_to_recompute(
            this, ref('int_policies__versions'), ref('int_finance__premium_versions'), ref('dim_valuation_date')
        ) }}",
        post_hook="{{ forget_keys_not_in(this, 'policy_id', ref('int_finance__premium_versions')) }}",
    )
}}
{#- Exposure as at the valuation date, one row per policy and calendar month in which it
    is in force, up to the valuation date: days in force, earned exposure in policy-years
    (days / 365) and whether it is in force at the month's end (at the valuation date in
    the valuation month). In force = a bound, endorsed or expired version's terms apply
    (int_finance__premium_periods) as the warehouse knows the policy at the valuation
    date: from inception to expiry, or to a cancellation's effective date.
    Incremental (delete+insert by policy, docs/incremental.md): a policy's rows depend on
    its own premium versions and the valuation date only, so a run recomputes the policies
    with a version processed since its last run and, when the valuation date moved, the
    policies in force from the earlier valuation month on (exposure_policies_to_recompute).
    The pre-hook deletes their rows, and the run recomputes the policies left with no row
    (a policy with no month in force is recomputed at each run); the post-hook deletes
    the erased policies' rows. -#}
with

all_premium_versions as (

    select * from {{ ref('int_finance__premium_versions') }}

),

all_premium_periods as (

    select * from {{ ref('int_finance__premium_periods') }}

),

{% if is_incremental() %}
    {#- the pre-hook has deleted the rows of the policies to recompute: the policies with
        no row (those, and the few with no month in force) -#}
    touched_policies as (

        select distinct all_premium_versions.policy_id
        from all_premium_versions
        where not exists (
            select 1 from {{ this }} as stored
            where stored.policy_id = all_premium_versions.policy_id
        )

    ),
{% endif %}

premium_versions as (

    {{ rows_of_touched_keys('all_premium_versions') }}

),

premium_periods as (

    {{ rows_of_touched_keys('all_premium_periods') }}

),

valuation as (

    select * from {{ ref('dim_valuation_date') }}

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

known_versions as (

    select
        premium_versions.*,
        row_number() over (
            partition by premium_versions.policy_id order by premium_versions.version_number desc
        ) as recency
    from premium_versions
    cross join valuation
    where premium_versions.known_date <= valuation.valuation_date

),

in_force_periods as (

    select
        premium_periods.policy_id,
        premium_periods.period_start,
        premium_periods.period_end,
        known_versions.line_code,
        known_versions.currency
    from premium_periods
    inner join known_versions
        on
            premium_periods.policy_id = known_versions.policy_id
            and premium_periods.as_of_version_number = known_versions.version_number
    where
        known_versions.recency = 1
        and premium_periods.is_earning
        and premium_periods.period_end > premium_periods.period_start

),

period_months as (

    select
        in_force_periods.policy_id,
        in_force_periods.line_code,
        in_force_periods.currency,
        months.month_start,
        case
            when months.month_end < valuation.valuation_date then months.month_end
            else valuation.valuation_date
        end as as_at_date,
        in_force_periods.period_start,
        in_force_periods.period_end
    from in_force_periods
    cross join valuation
    inner join months
        on
            in_force_periods.period_start <= months.month_end
            and in_force_periods.period_end > months.month_start
    where months.month_start <= valuation.valuation_month

),

policy_months as (

    select
        policy_id,
        line_code,
        currency,
        month_start,
        as_at_date,
        sum({{ overlap_days(
            'period_start', 'period_end', 'month_start', dbt.dateadd('day', 1, 'as_at_date')
        ) }}) as days_in_force,
        sum({{ overlap_days(
            'period_start', 'period_end', 'as_at_date', dbt.dateadd('day', 1, 'as_at_date')
        ) }}) as days_in_force_at_end
    from period_months
    group by policy_id, line_code, currency, month_start, as_at_date

)

select
    cast(policy_id as varchar) as policy_id,
    cast(month_start as date) as exposure_month,
    cast(as_at_date as date) as month_end_date,
    cast(line_code as varchar) as line_code,
    cast(currency as varchar) as currency,
    cast(days_in_force as integer) as days_in_force,
    cast(round(cast(days_in_force as decimal(18, 6)) / 365, 6) as decimal(18, 6)) as earned_exposure_years,
    days_in_force_at_end > 0 as is_in_force_at_month_end,
    {{ run_processed_at() }} as processed_at
from policy_months
where days_in_force > 0
