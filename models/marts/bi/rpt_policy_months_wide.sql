{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='policy_id',
        on_schema_change='fail',
        pre_hook=[
            "{{ forget_valuation_dependent_policies(this, 'booked') }}",
            "{{ forget_policies_recomputed_upstream(this, ref('int_policies__versions')) }}",
        ],
        post_hook=[
            "{{ forget_keys_not_in(this, 'policy_id', ref('int_policies__versions')) }}",
            "{{ recut_valuation_date(this) }}",
        ],
    )
}}
{#- One row per policy and calendar month up to the valuation date, for BI tools: premium
    written in the month (movements dated in it), earned gross, ceded and net
    (fct_earned_premiums), unearned at the month's end (written - earned to then, never
    below zero), exposure and in force (fct_policy_exposures), in USD, with the policy's
    line, line group, terms and insured's country, type and risk rating (the policy's
    latest version; no personal data).
    Incremental (delete+insert by policy, docs/incremental.md): a policy's rows depend on
    its own premiums, earned months and exposures, its insured's and its line's current
    versions, and the valuation date. A run recomputes the policies with a version
    processed since its last run (int_policies__versions: its premiums and exposures
    follow from its versions), those fct_earned_premiums recomputed since then (a treaty's
    change fans out there), the policies of an insured or a line with a version processed
    since then, and, when the valuation date has moved, the policies whose months it
    changes (valuation_dependent_policies 'booked': a month at or after the earlier date's
    month or a version known after it; and a premium written after it). The pre-hooks
    delete the rows of the valuation-dependent policies and of the policies with a new
    version first (a policy left with no month leaves none behind); the post-hooks delete
    the policies gone from int_policies__versions (erased) and stamp the rows kept with
    the new valuation_date. -#}
-- depends_on: {{ ref('int_policies__versions') }}
-- depends_on: {{ ref('int_insureds__versions') }}
-- depends_on: {{ ref('int_specialty_lines__versions') }}
-- depends_on: {{ ref('int_finance__earned_premium_months') }}
with

all_premiums as (

    select * from {{ ref('fct_policy_premiums') }}

),

all_earned as (

    select * from {{ ref('fct_earned_premiums') }}

),

all_exposures as (

    select * from {{ ref('fct_policy_exposures') }}

),

valuation as (

    select * from {{ ref('dim_valuation_date') }}

),

policies as (

    select * from {{ ref('dim_policies') }}
    where is_current and not is_unknown_member

),

insureds as (

    select * from {{ ref('dim_insureds') }}
    where is_current and not is_unknown_member

),

lines as (

    select * from {{ ref('dim_specialty_lines') }}
    where is_current and not is_unknown_member

),

{% if is_incremental() %}
    policy_versions as (

        select * from {{ ref('int_policies__versions') }}

    ),

    insured_versions as (

        select * from {{ ref('int_insureds__versions') }}

    ),

    line_versions as (

        select * from {{ ref('int_specialty_lines__versions') }}

    ),

    touched_policies as (

        select policy_id
        from policy_versions
        where {{ processed_since_last_run() }}
        union
        select all_earned.policy_id
        from all_earned
        where {{ processed_since_last_run('all_earned.processed_at') }}
        union
        {{ valuation_dependent_policies(this, 'booked') }}
        union
        select all_premiums.policy_id
        from all_premiums
        where all_premiums.written_date > {{ valuation_moved_from(this) }}
        union
        select policies.policy_id
        from policies
        inner join insured_versions on policies.insured_id = insured_versions.insured_id
        where {{ processed_since_last_run('insured_versions.processed_at') }}
        union
        select policies.policy_id
        from policies
        inner join line_versions on policies.line_code = line_versions.line_code
        where {{ processed_since_last_run('line_versions.processed_at') }}

    ),
{% endif %}

premiums as (

    {{ rows_of_touched_keys('all_premiums') }}

),

earned as (

    {{ rows_of_touched_keys('all_earned') }}

),

exposures as (

    {{ rows_of_touched_keys('all_exposures') }}

),

written_by_month as (

    select
        premiums.policy_id,
        cast({{ dbt.date_trunc('month', 'premiums.written_date') }} as date) as report_month,
        sum(premiums.written_premium_movement_usd) as written_premium_usd
    from premiums
    where premiums.is_written_to_date
    group by premiums.policy_id, cast({{ dbt.date_trunc('month', 'premiums.written_date') }} as date)

),

policy_months as (

    select
        policy_id,
        report_month
    from written_by_month
    union
    select
        policy_id,
        earned_month
    from earned
    union
    select
        policy_id,
        exposure_month
    from exposures

),

joined as (

    select
        policy_months.policy_id,
        policy_months.report_month,
        coalesce(written_by_month.written_premium_usd, 0) as written_premium_usd,
        coalesce(earned.earned_premium_usd, 0) as earned_premium_usd,
        coalesce(earned.ceded_earned_premium_usd, 0) as ceded_earned_premium_usd,
        coalesce(earned.net_earned_premium_usd, 0) as net_earned_premium_usd,
        coalesce(exposures.days_in_force, 0) as days_in_force,
        coalesce(exposures.earned_exposure_years, 0) as earned_exposure_years,
        coalesce(exposures.is_in_force_at_month_end, false) as is_in_force_at_month_end
    from policy_months
    left join written_by_month
        on
            policy_months.policy_id = written_by_month.policy_id
            and policy_months.report_month = written_by_month.report_month
    left join earned
        on
            policy_months.policy_id = earned.policy_id
            and policy_months.report_month = earned.earned_month
    left join exposures
        on
            policy_months.policy_id = exposures.policy_id
            and policy_months.report_month = exposures.exposure_month

),

cumulated as (

    select
        *,
        sum(written_premium_usd) over (
            partition by policy_id order by report_month rows between unbounded preceding and current row
        ) as cumulative_written_premium_usd,
        sum(earned_premium_usd) over (
            partition by policy_id order by report_month rows between unbounded preceding and current row
        ) as cumulative_earned_premium_usd
    from joined

)

select
    cast(cumulated.policy_id as varchar) as policy_id,
    cast(cumulated.report_month as date) as report_month,
    cast(valuation.valuation_date as date) as valuation_date,
    cast(policies.line_code as varchar) as line_code,
    cast(lines.line_name as varchar) as line_name,
    cast(lines.line_group as varchar) as line_group,
    cast(policies.policy_status as varchar) as policy_status,
    cast(policies.inception_date as date) as inception_date,
    cast(policies.expiry_date as date) as expiry_date,
    cast(extract(year from policies.inception_date) as integer) as underwriting_year,
    cast(policies.currency as varchar) as currency,
    cast(policies.sum_insured as decimal(18, 2)) as sum_insured,
    cast(insureds.country_code as varchar) as insured_country_code,
    cast(insureds.insured_type as varchar) as insured_type,
    cast(insureds.risk_rating as varchar) as insured_risk_rating,
    cast(cumulated.written_premium_usd as decimal(18, 2)) as written_premium_usd,
    cast(cumulated.earned_premium_usd as decimal(18, 2)) as earned_premium_usd,
    cast(cumulated.ceded_earned_premium_usd as decimal(18, 2)) as ceded_earned_premium_usd,
    cast(cumulated.net_earned_premium_usd as decimal(18, 2)) as net_earned_premium_usd,
    cast(
        {{ floored_difference(
            'cumulated.cumulative_written_premium_usd', 'cumulated.cumulative_earned_premium_usd'
        ) }} as decimal(18, 2)
    ) as unearned_premium_usd,
    cast(cumulated.days_in_force as integer) as days_in_force,
    cast(cumulated.earned_exposure_years as decimal(18, 6)) as earned_exposure_years,
    cumulated.is_in_force_at_month_end,
    {{ run_processed_at() }} as processed_at
from cumulated
cross join valuation
left join policies on cumulated.policy_id = policies.policy_id
left join insureds on policies.insured_id = insureds.insured_id
left join lines on policies.line_code = lines.line_code
