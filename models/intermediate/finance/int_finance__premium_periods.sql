{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='policy_id',
        on_schema_change='fail',
        pre_hook="{{ forget_policies_recomputed_upstream(this, ref('int_policies__versions')) }}",
        post_hook="{{ forget_keys_not_in(this, 'policy_id', ref('int_policies__versions')) }}",
    )
}}
{#- One row per policy, "as of" premium version and premium version up to it: the period
    of valid time in which each version's terms are in force when the warehouse knows the
    versions up to the as-of one. In force on a day is the latest version (system time)
    whose period starts on or before that day, so a version's period runs from its start
    to the earliest start of the versions after it (up to the as-of one), or to the day
    after expiry; a back-dated endorsement overrides what it covers. Only 'term' versions
    earn (premium_days = full-term premium x days in force; earned = premium_days / term
    days); a cancellation or reversal is in force but earns nothing per day.
    Incremental (delete+insert by policy, docs/incremental.md): a policy's rows depend on
    its own premium versions only, so a run recomputes the policies with a version
    (int_policies__versions) processed since its last run, as int_finance__premium_versions
    does before it; the same hooks delete their rows first and the erased policies after. -#}
with

all_premium_versions as (

    select * from {{ ref('int_finance__premium_versions') }}

),

{% if is_incremental() %}
    touched_policies as (

        select distinct policy_id
        from {{ ref('int_policies__versions') }}
        where {{ processed_since_last_run() }}

    ),
{% endif %}

premium_versions as (

    {{ rows_of_touched_keys('all_premium_versions') }}

),

pairs as (

    select
        as_of.policy_id,
        as_of.version_number as as_of_version_number,
        version.version_number,
        version.version_kind,
        version.full_term_premium,
        version.term_days,
        version.period_start,
        cast({{ dbt.dateadd('day', 1, 'version.expiry_date') }} as date) as term_end,
        min(version.period_start) over (
            partition by as_of.policy_id, as_of.version_number
            order by version.version_number desc
            rows between unbounded preceding and 1 preceding
        ) as next_period_start
    from premium_versions as as_of
    inner join premium_versions as version
        on
            as_of.policy_id = version.policy_id
            and as_of.version_number >= version.version_number

),

bounded as (

    select
        *,
        case
            when next_period_start is not null and next_period_start < term_end then next_period_start
            else term_end
        end as period_end
    from pairs

)

select
    policy_id,
    as_of_version_number,
    version_number,
    version_kind,
    period_start,
    case when period_end > period_start then period_end else period_start end as period_end,
    term_days,
    case when version_kind = 'term' then full_term_premium else 0 end as full_term_premium,
    version_kind = 'term' as is_earning,
    {{ run_processed_at() }} as processed_at
from bounded
