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
{#- One row per written policy and treaty named in its current version's treaty_ids, with
    the treaty's current terms and the share of the policy ceded to it:
    - quota share: cession_pct / 100 of premium and of each claim's incurred;
    - surplus: min(max(SI - R, 0), limit) / SI, the sum insured converted into the
      treaty's currency through USD at the inception month;
    - excess of loss: no proportional share; it is paid premium_rate_pct / 100 of the
      gross premium and cedes losses per claim (int_finance__claim_cessions).
    A treaty unknown to the lake, or soft-deleted there, cedes nothing (an excess-of-loss
    treaty keeps a null share whatever its status: it has no proportional share).
    Incremental (delete+insert by policy, docs/incremental.md): a policy's rows depend on
    its current version and its treaties' current terms only, so a run recomputes the
    policies with a version processed since its last run (int_policies__versions) and the
    policies holding a treaty recomputed since then (stg_landing__reinsurance_treaties: a
    treaty's change, or its late arrival, fans out to its policies). The pre-hook deletes
    the first kind's rows first (a policy no longer written leaves none behind); the
    post-hook deletes the policies gone from int_policies__versions (erased). -#}
with

policy_versions as (

    select * from {{ ref('int_policies__versions') }}

),

treaties as (

    select * from {{ ref('stg_landing__reinsurance_treaties') }}

),

fx_rates as (

    select * from {{ ref('fx_rates_monthly') }}

),

{% if is_incremental() %}
    touched_policies as (

        select policy_id
        from policy_versions
        where {{ processed_since_last_run() }}
        union
        select previous_rows.policy_id
        from {{ this }} as previous_rows
        inner join treaties on previous_rows.treaty_id = treaties.treaty_id
        where {{ processed_since_last_run('treaties.processed_at') }}

    ),
{% endif %}

all_current_policies as (

    select
        policy_id,
        line_code,
        currency,
        sum_insured,
        treaty_ids,
        cast({{ dbt.date_trunc('month', 'inception_date') }} as date) as inception_month
    from policy_versions
    where
        is_current
        and not is_deleted
        and policy_status in ({{ sql_string_list(written_policy_statuses()) }})

),

current_policies as (

    {{ rows_of_touched_keys('all_current_policies') }}

),

policy_treaty_ids as (

    select distinct
        current_policies.policy_id,
        {{ json_scalar_text('treaty_element.value') }} as treaty_id
    from current_policies
    {{ unnest_json_array('current_policies.treaty_ids', 'treaty_element') }}

),

joined as (

    select
        policy_treaty_ids.policy_id,
        policy_treaty_ids.treaty_id,
        current_policies.line_code,
        current_policies.currency as policy_currency,
        current_policies.sum_insured,
        current_policies.inception_month,
        treaties.treaty_id is null as is_unknown_treaty,
        coalesce(treaties.is_deleted, false) as is_deleted_treaty,
        treaties.treaty_type,
        treaties.currency as treaty_currency,
        treaties.cession_pct,
        treaties.retention_amount,
        treaties.limit_amount,
        treaties.premium_rate_pct,
        treaties.commission_pct,
        cast(policy_fx.usd_per_unit as decimal(38, 8)) as policy_usd_per_unit,
        cast(treaty_fx.usd_per_unit as decimal(38, 8)) as treaty_usd_per_unit
    from policy_treaty_ids
    inner join current_policies on policy_treaty_ids.policy_id = current_policies.policy_id
    left join treaties on policy_treaty_ids.treaty_id = treaties.treaty_id
    left join fx_rates as policy_fx
        on
            current_policies.currency = policy_fx.currency
            and cast(policy_fx.month as date) = current_policies.inception_month
    left join fx_rates as treaty_fx
        on
            treaties.currency = treaty_fx.currency
            and cast(treaty_fx.month as date) = current_policies.inception_month

),

converted as (

    select
        *,
        {{ convert_currency(
            'sum_insured', 'policy_currency', 'treaty_currency',
            'policy_usd_per_unit', 'treaty_usd_per_unit'
        ) }} as sum_insured_treaty_currency
    from joined

),

shares as (

    select
        *,
        case
            when treaty_type = 'excess_of_loss' then null
            when is_unknown_treaty or is_deleted_treaty then 0
            when treaty_type = 'quota_share' then cession_pct / 100
            when treaty_type = 'surplus' and sum_insured_treaty_currency > 0
                then {{ least_of(
                    greatest_of('sum_insured_treaty_currency - retention_amount', '0'), 'limit_amount'
                ) }} / sum_insured_treaty_currency
            when treaty_type = 'surplus' then 0
        end as ceded_share
    from converted

),

rated as (

    select
        *,
        case
            when is_unknown_treaty or is_deleted_treaty then 0
            when treaty_type = 'excess_of_loss' then premium_rate_pct / 100
            else coalesce(ceded_share, 0)
        end as ceded_premium_rate
    from shares

)

select
    policy_id,
    treaty_id,
    line_code,
    policy_currency,
    sum_insured,
    inception_month,
    is_unknown_treaty,
    is_deleted_treaty,
    treaty_type,
    treaty_currency,
    cession_pct,
    retention_amount,
    limit_amount,
    premium_rate_pct,
    commission_pct,
    policy_usd_per_unit,
    treaty_usd_per_unit,
    cast(sum_insured_treaty_currency as decimal(18, 2)) as sum_insured_treaty_currency,
    cast(ceded_share as decimal(38, 10)) as ceded_share,
    cast(ceded_premium_rate as decimal(38, 10)) as ceded_premium_rate,
    cast(sum(
        case when treaty_type in ('quota_share', 'surplus') then coalesce(ceded_share, 0) else 0 end
    ) over (partition by policy_id) as decimal(38, 10)) as policy_proportional_share,
    {{ run_processed_at() }} as processed_at
from rated
