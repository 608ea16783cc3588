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
{#- One row per policy version that changes what the policy writes: a bound, endorsed or
    expired version ('term': its full-term premium earns daily pro rata from its period
    start), a cancellation ('cancellation': the policy retains the version's premium), and
    a soft delete ('reversal': everything written and earned is reversed). Quotes write
    nothing and are left out. The first of these versions starts at inception (it is the
    first terms the warehouse knows, whatever versions were lost); later ones at their
    effective date, clipped to the term. known_date is when the source wrote the version
    (system time); written_date is the later of its effective date and known_date.
    Incremental (delete+insert by policy, docs/incremental.md): a policy's rows depend on
    its own versions only, so a run recomputes the policies with a version processed since
    its last run (int_policies__versions). The pre-hook deletes their rows first (a policy
    left with no written version keeps none); the post-hook deletes the policies gone from
    int_policies__versions (erased). -#}
with

all_policy_versions as (

    select * from {{ ref('int_policies__versions') }}

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

    select
        policy_id,
        policy_version_key,
        version_number,
        policy_status,
        line_code,
        currency,
        inception_date,
        expiry_date,
        effective_date,
        gross_written_premium,
        cast(valid_from as date) as known_date,
        case
            when is_deleted then 'reversal'
            when policy_status = 'cancelled' then 'cancellation'
            else 'term'
        end as version_kind,
        row_number() over (partition by policy_id order by version_number) as premium_sequence
    from policy_versions
    where
        is_deleted
        or policy_status in ({{ sql_string_list(written_policy_statuses()) }})

)

select
    policy_id,
    policy_version_key,
    version_number,
    premium_sequence,
    policy_status,
    version_kind,
    line_code,
    currency,
    inception_date,
    expiry_date,
    effective_date,
    known_date,
    case
        when effective_date > known_date then effective_date else known_date
    end as written_date,
    {{ dbt.datediff('inception_date', 'expiry_date', 'day') }} + 1 as term_days,
    case
        when premium_sequence = 1 then inception_date
        when effective_date < inception_date then inception_date
        when effective_date > expiry_date then cast({{ dbt.dateadd('day', 1, 'expiry_date') }} as date)
        else effective_date
    end as period_start,
    case when version_kind = 'reversal' then 0 else gross_written_premium end as full_term_premium,
    {{ run_processed_at() }} as processed_at
from premium_versions
