{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='policy_id',
        on_schema_change='fail',
        post_hook=[
            "{{ forget_keys_not_in(this, 'policy_id', ref('int_policies__versions')) }}",
            "{{ recut_written_to_date(this) }}",
        ],
    )
}}
{#- One row per policy version: the full-term gross written premium as of the version
    (nothing for a quote or a soft-deleted version) and the premium the version writes,
    as written: the first version writes its full-term premium; an endorsement writes the
    pro-rata difference of the full-term premiums over the term it changes; a cancellation
    writes the premium it retains minus what was written before it; a soft delete reverses
    everything written. Each movement is dated at the later of its effective date and the
    date it was written (updated_at). The written premium to expiry is what the policy
    earns in total as of the version (int_finance__premium_periods), so the movements add
    up to it and, once the policy has expired or is cancelled, to its earned premium.
    USD at the rate of the policy's inception month.
    Incremental (delete+insert by policy, docs/incremental.md): a policy's rows depend on
    its own versions only, so a run recomputes the policies with a version processed since
    its last run; the as-at cut is_written_to_date is re-cut on every row whose value the
    valuation date changed (post-hook recut_written_to_date), and erased policies are
    deleted (post-hook forget_keys_not_in). -#}
with

all_policy_versions as (

    select * from {{ ref('int_policies__versions') }}

),

all_premium_versions as (

    select * from {{ ref('int_finance__premium_versions') }}

),

all_premium_periods as (

    select * from {{ ref('int_finance__premium_periods') }}

),

{% if is_incremental() %}
    touched_policies as (

        select distinct policy_id
        from all_policy_versions
        where {{ processed_since_last_run() }}

    ),
{% endif %}

policy_versions as (

    {{ rows_of_touched_keys('all_policy_versions') }}

),

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

premium_days as (

    select
        policy_id,
        as_of_version_number,
        sum(
            case
                when is_earning
                    then full_term_premium * {{ dbt.datediff('period_start', 'period_end', 'day') }}
                else 0
            end
        ) as premium_days
    from premium_periods
    group by policy_id, as_of_version_number

),

to_expiry as (

    select
        premium_versions.policy_id,
        premium_versions.version_number,
        premium_versions.written_date,
        {{ accrued_premium(
            'premium_versions.version_kind', 'premium_versions.period_start',
            'premium_versions.full_term_premium', 'premium_days.premium_days',
            'premium_versions.term_days', dbt.dateadd('day', 1, 'premium_versions.expiry_date')
        ) }} as written_premium_to_expiry
    from premium_versions
    inner join premium_days
        on
            premium_versions.policy_id = premium_days.policy_id
            and premium_versions.version_number = premium_days.as_of_version_number

),

valued as (

    select
        policy_versions.*,
        policy_versions.policy_status in ({{ sql_string_list(written_policy_statuses()) }})
        and not policy_versions.is_deleted as is_written,
        to_expiry.written_date,
        to_expiry.written_premium_to_expiry,
        cast(fx_rates.usd_per_unit as decimal(38, 8)) as fx_usd_per_unit
    from policy_versions
    left join to_expiry
        on
            policy_versions.policy_id = to_expiry.policy_id
            and policy_versions.version_number = to_expiry.version_number
    left join fx_rates
        on
            policy_versions.currency = fx_rates.currency
            and cast(fx_rates.month as date)
            = cast({{ dbt.date_trunc('month', 'policy_versions.inception_date') }} as date)

),

converted as (

    select
        *,
        case when is_written then gross_written_premium else 0 end as written_premium,
        {{ money_times('case when is_written then gross_written_premium else 0 end', 'fx_usd_per_unit') }}
            as written_premium_usd,
        {{ money_times('written_premium_to_expiry', 'fx_usd_per_unit') }} as written_premium_to_expiry_usd
    from valued

),

movements as (

    select
        *,
        coalesce(written_premium_to_expiry - coalesce(
            lag(written_premium_to_expiry) over (
                partition by policy_id, written_premium_to_expiry is null order by version_number
            ),
            0
        ), 0) as written_premium_movement,
        coalesce(written_premium_to_expiry_usd - coalesce(
            lag(written_premium_to_expiry_usd) over (
                partition by policy_id, written_premium_to_expiry is null order by version_number
            ),
            0
        ), 0) as written_premium_movement_usd
    from converted

),

cumulated as (

    select
        movements.*,
        sum(movements.written_premium_movement) over (
            partition by movements.policy_id
            order by movements.version_number
            rows between unbounded preceding and current row
        ) as cumulative_written_premium,
        sum(movements.written_premium_movement_usd) over (
            partition by movements.policy_id
            order by movements.version_number
            rows between unbounded preceding and current row
        ) as cumulative_written_premium_usd
    from movements

)

select
    cast(cumulated.policy_id as varchar) as policy_id,
    cast(cumulated.policy_version_key as varchar) as policy_version_key,
    cast(cumulated.version_number as bigint) as version_number,
    cast(cumulated.policy_status as varchar) as policy_status,
    cast(cumulated.line_code as varchar) as line_code,
    cast(cumulated.insured_id as varchar) as insured_id,
    cast(cumulated.inception_date as date) as inception_date,
    cast(cumulated.expiry_date as date) as expiry_date,
    cast(cumulated.effective_date as date) as effective_date,
    cast(cumulated.valid_from as timestamp) as valid_from,
    cast(cumulated.written_date as date) as written_date,
    cast(cumulated.currency as varchar) as currency,
    cast(cumulated.written_premium as decimal(18, 2)) as gross_written_premium,
    cast(cumulated.written_premium_movement as decimal(18, 2)) as written_premium_movement,
    cast(cumulated.cumulative_written_premium as decimal(18, 2)) as written_premium_to_expiry,
    cast(cumulated.fx_usd_per_unit as decimal(18, 8)) as fx_usd_per_unit,
    cast(cumulated.written_premium_usd as decimal(18, 2)) as gross_written_premium_usd,
    cast(cumulated.written_premium_movement_usd as decimal(18, 2)) as written_premium_movement_usd,
    cast(cumulated.cumulative_written_premium_usd as decimal(18, 2)) as written_premium_to_expiry_usd,
    cumulated.is_written,
    coalesce(
        cumulated.written_date is not null and cumulated.written_date <= valuation.valuation_date,
        false
    ) as is_written_to_date,
    cumulated.is_deleted,
    cumulated.is_current,
    {{ run_processed_at() }} as processed_at
from cumulated
cross join valuation
