{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='policy_id',
        on_schema_change='fail',
        pre_hook="{{ restart_when_valuation_moved(this) }}",
        post_hook="{{ forget_keys_not_in(this, 'policy_id', ref('int_finance__premium_versions')) }}",
    )
}}
{#- One row per policy, calendar month and basis: the premium the policy has earned from
    inception through the end of the month, as the warehouse knew it.
    - basis 'booked': known at the month's end, through the month's end; the valuation
      month stops at the valuation date and later months are left out. A version written
      late (a back-dated endorsement) moves the earned of the month it was written in.
    - basis 'schedule': known at the valuation date, through each month's end, for every
      month of the term: the earning pattern the planning needs.
    Knowledge = the premium versions whose known_date (updated_at) is on or before the
    knowledge date; the last of them is the as-of version. Months run from the inception
    month to the later of the expiry month and the month of the last known version.
    Incremental (docs/incremental.md): a policy's rows depend on its own premium versions
    and the valuation date only, so a run recomputes the policies with a version processed
    since its last run (int_policies__versions); when the valuation date has moved, the
    pre-hook empties the table and every policy is recomputed; the post-hook deletes the
    policies left with no premium version (erased). -#}
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

valuation as (

    select * from {{ ref('dim_valuation_date') }}

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

known_versions as (

    select premium_versions.*
    from premium_versions
    cross join valuation
    where premium_versions.known_date <= valuation.valuation_date

),

latest_known as (

    select
        policy_id,
        line_code,
        currency,
        cast({{ dbt.date_trunc('month', 'inception_date') }} as date) as inception_month,
        row_number() over (partition by policy_id order by version_number desc) as recency
    from known_versions

),

policy_spans as (

    select
        policy_id,
        cast({{ dbt.date_trunc('month', 'min(inception_date)') }} as date) as first_month,
        case
            when max(expiry_date) > max(known_date)
                then cast({{ dbt.date_trunc('month', 'max(expiry_date)') }} as date)
            else cast({{ dbt.date_trunc('month', 'max(known_date)') }} as date)
        end as last_month
    from known_versions
    group by policy_id

),

policy_months as (

    select
        policy_spans.policy_id,
        months.month_start,
        months.month_end
    from policy_spans
    inner join months
        on months.month_start between policy_spans.first_month and policy_spans.last_month

),

evaluations as (

    select
        policy_months.policy_id,
        policy_months.month_start,
        'booked' as basis,
        case
            when policy_months.month_end < valuation.valuation_date then policy_months.month_end
            else valuation.valuation_date
        end as knowledge_date,
        case
            when policy_months.month_end < valuation.valuation_date then policy_months.month_end
            else valuation.valuation_date
        end as through_date
    from policy_months
    cross join valuation
    where policy_months.month_start <= valuation.valuation_month
    union all
    select
        policy_months.policy_id,
        policy_months.month_start,
        'schedule' as basis,
        valuation.valuation_date as knowledge_date,
        policy_months.month_end as through_date
    from policy_months
    cross join valuation

),

as_of as (

    select
        evaluations.policy_id,
        evaluations.month_start,
        evaluations.basis,
        evaluations.through_date,
        max(known_versions.version_number) as as_of_version_number
    from evaluations
    left join known_versions
        on
            evaluations.policy_id = known_versions.policy_id
            and evaluations.knowledge_date >= known_versions.known_date
    group by
        evaluations.policy_id,
        evaluations.month_start,
        evaluations.basis,
        evaluations.through_date

),

accrued as (

    select
        as_of.policy_id,
        as_of.month_start,
        as_of.basis,
        as_of.through_date,
        as_of.as_of_version_number,
        coalesce(sum(
            case
                when premium_periods.is_earning
                    then premium_periods.full_term_premium * {{ overlap_days(
                        'premium_periods.period_start', 'premium_periods.period_end',
                        'premium_periods.period_start',
                        dbt.dateadd('day', 1, 'as_of.through_date')
                    ) }}
                else 0
            end
        ), 0) as premium_days,
        coalesce(sum(
            case
                when premium_periods.is_earning
                    then {{ overlap_days(
                        'premium_periods.period_start', 'premium_periods.period_end',
                        'as_of.month_start', dbt.dateadd('day', 1, 'as_of.through_date')
                    ) }}
                else 0
            end
        ), 0) as days_in_force
    from as_of
    left join premium_periods
        on
            as_of.policy_id = premium_periods.policy_id
            and as_of.as_of_version_number = premium_periods.as_of_version_number
    group by
        as_of.policy_id,
        as_of.month_start,
        as_of.basis,
        as_of.through_date,
        as_of.as_of_version_number

),

cumulated as (

    select
        accrued.policy_id,
        accrued.month_start,
        accrued.basis,
        accrued.through_date,
        accrued.as_of_version_number,
        accrued.days_in_force,
        case
            when accrued.as_of_version_number is null then cast(0 as decimal(18, 2))
            else {{ accrued_premium(
                'as_of_version.version_kind', 'as_of_version.period_start',
                'as_of_version.full_term_premium', 'accrued.premium_days',
                'as_of_version.term_days', 'accrued.through_date'
            ) }}
        end as cumulative_earned_premium
    from accrued
    left join premium_versions as as_of_version
        on
            accrued.policy_id = as_of_version.policy_id
            and accrued.as_of_version_number = as_of_version.version_number

)

select
    cumulated.policy_id,
    cumulated.month_start as earned_month,
    cumulated.basis,
    cumulated.through_date,
    cumulated.as_of_version_number,
    latest_known.line_code,
    latest_known.currency,
    cast(cumulated.days_in_force as integer) as days_in_force,
    cast(fx_rates.usd_per_unit as decimal(38, 8)) as fx_usd_per_unit,
    cumulated.cumulative_earned_premium,
    {{ money_times('cumulated.cumulative_earned_premium', 'cast(fx_rates.usd_per_unit as decimal(38, 8))') }}
        as cumulative_earned_premium_usd,
    valuation.valuation_date,
    {{ run_processed_at() }} as processed_at
from cumulated
cross join valuation
inner join latest_known
    on cumulated.policy_id = latest_known.policy_id and latest_known.recency = 1
left join fx_rates
    on
        latest_known.currency = fx_rates.currency
        and cast(fx_rates.month as date) = latest_known.inception_month
