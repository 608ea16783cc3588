{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='claim_id',
        on_schema_change='fail',
        post_hook="{{ forget_keys_not_in(this, 'claim_id', ref('int_claims__versions')) }}",
    )
}}
{#- One row per claim: its latest version, keyed to the dimension versions in force at
    the loss date (the first version when the loss predates every version), in the claim
    currency and in USD at the loss month's rate. Business-rule breaches are flagged.
    Incremental (delete+insert by claim, docs/incremental.md): a claim's row depends on its
    own versions and on the versions of its policy, its insured and its line, not on the
    valuation date, so a run recomputes the claims with a version processed since its last
    run, the claims (in its own rows) of a policy, an insured or a line with a version
    processed since then. The post-hook deletes the claims gone from int_claims__versions
    (an erased insured's claims go with their policies, so no claim is left keyed to an
    erased dimension version). -#}
-- depends_on: {{ ref('int_policies__versions') }}
-- depends_on: {{ ref('int_insureds__versions') }}
-- depends_on: {{ ref('int_specialty_lines__versions') }}
with

all_claim_versions as (

    select * from {{ ref('int_claims__versions') }}

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

    touched_claims as (

        select claim_id
        from all_claim_versions
        where {{ processed_since_last_run() }}
        union
        select previous_rows.claim_id
        from {{ this }} as previous_rows
        inner join policy_versions
            on previous_rows.policy_id = policy_versions.policy_id
        where {{ processed_since_last_run('policy_versions.processed_at') }}
        union
        select previous_rows.claim_id
        from {{ this }} as previous_rows
        inner join insured_versions
            on previous_rows.insured_id = insured_versions.insured_id
        where {{ processed_since_last_run('insured_versions.processed_at') }}
        union
        select previous_rows.claim_id
        from {{ this }} as previous_rows
        inner join line_versions
            on previous_rows.line_code = line_versions.line_code
        where {{ processed_since_last_run('line_versions.processed_at') }}

    ),
{% endif %}

claim_versions as (

    {{ rows_with_touched_keys('all_claim_versions', 'touched_claims', 'claim_id') }}

),

{#- The dimension rows of the claims in scope only (a semi-join: an incremental run's few
    claims look up their versions rather than hash every version of the book). -#}
policies as (

    select * from {{ ref('dim_policies') }}
    where
        not is_unknown_member
        and policy_id in (select scoped_claims.policy_id from claim_versions as scoped_claims)

),

insureds as (

    select * from {{ ref('dim_insureds') }}
    where
        not is_unknown_member
        and insured_id in (select scoped_policies.insured_id from policies as scoped_policies)

),

lines as (

    select * from {{ ref('dim_specialty_lines') }}
    where not is_unknown_member

),

fx_rates as (

    select * from {{ ref('fx_rates_monthly') }}

),

version_counts as (

    select
        claim_id,
        count(*) as version_count,
        min(valid_from) as first_recorded_at
    from claim_versions
    group by claim_id

),

latest as (

    select
        claim_versions.*,
        cast({{ dbt.dateadd('day', 1, 'loss_date') }} as timestamp) as loss_cutoff
    from claim_versions
    where claim_versions.is_current

),

{#- The version of a dimension in force at the loss date: the latest one recorded
    before the end of the loss date, else the first one. -#}
policy_at_loss as (

    select
        latest.claim_id,
        policies.policy_version_key,
        policies.insured_id,
        policies.line_code,
        policies.inception_date,
        {{ in_force_rank('latest.claim_id', 'policies.valid_from', 'latest.loss_cutoff') }} as pick
    from latest
    inner join policies on latest.policy_id = policies.policy_id

),

insured_at_loss as (

    select
        latest.claim_id,
        insureds.insured_version_key,
        {{ in_force_rank('latest.claim_id', 'insureds.valid_from', 'latest.loss_cutoff') }} as pick
    from latest
    inner join policy_at_loss
        on latest.claim_id = policy_at_loss.claim_id and policy_at_loss.pick = 1
    inner join insureds on policy_at_loss.insured_id = insureds.insured_id

),

line_at_loss as (

    select
        latest.claim_id,
        lines.line_version_key,
        {{ in_force_rank('latest.claim_id', 'lines.valid_from', 'latest.loss_cutoff') }} as pick
    from latest
    inner join policy_at_loss
        on latest.claim_id = policy_at_loss.claim_id and policy_at_loss.pick = 1
    inner join lines on policy_at_loss.line_code = lines.line_code

),

joined as (

    select
        latest.*,
        coalesce(policy_at_loss.policy_version_key, '-1') as policy_version_key,
        coalesce(insured_at_loss.insured_version_key, '-1') as insured_version_key,
        coalesce(line_at_loss.line_version_key, '-1') as line_version_key,
        coalesce(policy_at_loss.insured_id, 'unknown') as insured_id,
        coalesce(policy_at_loss.line_code, 'unknown') as line_code,
        policy_at_loss.inception_date as policy_inception_date,
        policy_at_loss.policy_version_key is null as is_unknown_policy,
        fx_rates.usd_per_unit,
        version_counts.version_count,
        version_counts.first_recorded_at
    from latest
    left join policy_at_loss
        on latest.claim_id = policy_at_loss.claim_id and policy_at_loss.pick = 1
    left join insured_at_loss
        on latest.claim_id = insured_at_loss.claim_id and insured_at_loss.pick = 1
    left join line_at_loss
        on latest.claim_id = line_at_loss.claim_id and line_at_loss.pick = 1
    left join fx_rates
        on
            latest.currency = fx_rates.currency
            and cast({{ dbt.date_trunc('month', 'latest.loss_date') }} as date) = fx_rates.month
    inner join version_counts on latest.claim_id = version_counts.claim_id

),

measured as (

    select
        *,
        paid_amount + reserve_amount - recovered_amount as incurred_amount,
        paid_amount < 0 or reserve_amount < 0 or recovered_amount < 0 as is_negative_amount,
        coalesce(loss_date < policy_inception_date, false) as is_loss_before_inception,
        reported_date < loss_date as is_reported_before_loss
    from joined

)

select
    claim_id,
    claim_version_key,
    policy_id,
    policy_version_key,
    insured_id,
    insured_version_key,
    line_code,
    line_version_key,
    loss_date,
    reported_date,
    claim_status,
    cause_of_loss,
    loss_country_code,
    loss_region,
    adjuster_id,
    currency,
    paid_amount,
    reserve_amount,
    recovered_amount,
    incurred_amount,
    usd_per_unit as fx_usd_per_unit,
    {{ money_times('paid_amount', 'usd_per_unit') }} as paid_amount_usd,
    {{ money_times('reserve_amount', 'usd_per_unit') }} as reserve_amount_usd,
    {{ money_times('recovered_amount', 'usd_per_unit') }} as recovered_amount_usd,
    {{ money_times('incurred_amount', 'usd_per_unit') }} as incurred_amount_usd,
    version_count,
    first_recorded_at,
    valid_from as last_updated_at,
    is_deleted,
    is_unknown_policy,
    is_negative_amount,
    is_loss_before_inception,
    is_reported_before_loss,
    is_negative_amount or is_loss_before_inception or is_reported_before_loss
        as has_business_rule_breach,
    {{ run_processed_at() }} as processed_at
from measured
