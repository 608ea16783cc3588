{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='claim_id',
        on_schema_change='fail',
        post_hook=[
            "{{ forget_stale_claims(this, ref('int_claims__versions')) }}",
            "{{ recut_valuation_date(this) }}",
        ],
    )
}}
{#- One row per claim as at the valuation date (its latest version written on or before
    the valuation date; claims whose version then is a soft delete left out): incurred =
    paid + reserve - recovered, in the claim's currency, in USD at the loss month's rate,
    and in the policy's currency through USD at the loss month. A claim whose policy is
    not in the lake is kept with line_code 'unknown'.
    Incremental (delete+insert by claim, docs/incremental.md): a claim's row depends on its
    versions, its policy's current version and, through the versions written by then, the
    valuation date. A run recomputes the claims with a version processed since its last
    run, the claims (in its own rows) of a policy with a version processed since then, and
    the claims with a version written between the valuation date its rows were cut at and
    the valuation date now. The post-hooks delete the claims erased upstream and the
    recomputed claims left with no row (forget_stale_claims), then set valuation_date on
    the other rows (recut_valuation_date). -#}
with

claim_versions as (

    select * from {{ ref('int_claims__versions') }}

),

valuation as (

    select * from {{ ref('dim_valuation_date') }}

),

{% if is_incremental() %}
    claim_version_changes as (

        select
            claim_id,
            valid_from,
            processed_at
        from {{ ref('int_claims__versions') }}

    ),

    policy_version_changes as (

        select
            policy_id,
            processed_at
        from {{ ref('int_policies__versions') }}

    ),

    touched_claims as (

        select claim_id
        from claim_version_changes
        where
            {{ processed_since_last_run() }}
            or {{ written_across_the_valuation_move('valid_from', this) }}
        union
        select previous_rows.claim_id
        from {{ this }} as previous_rows
        inner join policy_version_changes
            on previous_rows.policy_id = policy_version_changes.policy_id
        where {{ processed_since_last_run('policy_version_changes.processed_at') }}

    ),
{% endif %}

scoped_claim_versions as (

    {{ rows_with_touched_keys('claim_versions', 'touched_claims', 'claim_id') }}

),

known_claim_versions as (

    select
        scoped_claim_versions.*,
        valuation.valuation_date,
        row_number() over (
            partition by scoped_claim_versions.claim_id order by scoped_claim_versions.valid_from desc
        ) as recency
    from scoped_claim_versions
    cross join valuation
    where cast(scoped_claim_versions.valid_from as date) <= valuation.valuation_date

),

claims as (

    select * from known_claim_versions
    where recency = 1 and not is_deleted

),

policy_versions as (

    select * from {{ ref('int_policies__versions') }}
    where
        is_current
        and policy_id in (select scoped_claims.policy_id from claims as scoped_claims)

),

fx_rates as (

    select * from {{ ref('fx_rates_monthly') }}

),

joined as (

    select
        claims.claim_id,
        claims.policy_id,
        coalesce(policy_versions.line_code, 'unknown') as line_code,
        policy_versions.policy_id is null as is_unknown_policy,
        claims.loss_date,
        cast({{ dbt.date_trunc('month', 'claims.loss_date') }} as date) as loss_month,
        claims.currency as claim_currency,
        coalesce(policy_versions.currency, claims.currency) as policy_currency,
        claims.paid_amount + claims.reserve_amount - claims.recovered_amount as incurred_amount,
        claims.valuation_date
    from claims
    left join policy_versions on claims.policy_id = policy_versions.policy_id

),

rated as (

    select
        joined.*,
        cast(claim_fx.usd_per_unit as decimal(38, 8)) as claim_usd_per_unit,
        cast(policy_fx.usd_per_unit as decimal(38, 8)) as policy_usd_per_unit
    from joined
    left join fx_rates as claim_fx
        on
            joined.claim_currency = claim_fx.currency
            and cast(claim_fx.month as date) = joined.loss_month
    left join fx_rates as policy_fx
        on
            joined.policy_currency = policy_fx.currency
            and cast(policy_fx.month as date) = joined.loss_month

)

select
    claim_id,
    policy_id,
    line_code,
    is_unknown_policy,
    loss_date,
    loss_month,
    claim_currency,
    policy_currency,
    claim_usd_per_unit,
    policy_usd_per_unit,
    cast(incurred_amount as decimal(18, 2)) as incurred_amount,
    {{ to_money(convert_currency(
        'incurred_amount', 'claim_currency', 'policy_currency',
        'claim_usd_per_unit', 'policy_usd_per_unit'
    )) }} as incurred_amount_policy_currency,
    {{ money_times('incurred_amount', 'claim_usd_per_unit') }} as incurred_amount_usd,
    valuation_date,
    {{ run_processed_at() }} as processed_at
from rated
