{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='claim_id',
        on_schema_change='fail',
        pre_hook="{{ forget_cessions_recomputed_upstream(this) }}",
    )
}}
{#- One row per claim and treaty of its policy: the incurred ceded to the treaty, in the
    order of the contract: proportional treaties on the gross (share x incurred), then
    each excess-of-loss layer on what is retained after them, per claim:
    min(max(L - R, 0), limit) with L = incurred x (1 - the policy's proportional share),
    converted into the treaty's currency through USD at the loss month, and back.
    Incremental (delete+insert by claim, docs/incremental.md): a claim's rows depend on its
    row of int_finance__claims and its policy's rows of int_finance__policy_treaties (a
    treaty's change reaches them there), so a run recomputes the claims recomputed in
    int_finance__claims since its last run and the claims of the policies recomputed in
    int_finance__policy_treaties or with a new version (a policy no longer written leaves
    no row there); the pre-hook deletes these claims' rows first (a claim left with no
    cession leaves none behind) and the rows of the claims gone from int_finance__claims. -#}
-- depends_on: {{ ref('int_policies__versions') }}
with

all_claims as (

    select * from {{ ref('int_finance__claims') }}

),

{% if is_incremental() %}
    policy_treaty_changes as (

        select
            policy_id,
            processed_at
        from {{ ref('int_finance__policy_treaties') }}

    ),

    policy_version_changes as (

        select
            policy_id,
            processed_at
        from {{ ref('int_policies__versions') }}

    ),

    touched_policies as (

        select policy_id
        from policy_treaty_changes
        where {{ processed_since_last_run() }}
        union
        select policy_id
        from policy_version_changes
        where {{ processed_since_last_run() }}

    ),

    touched_claims as (

        select claim_id
        from all_claims
        where
            {{ processed_since_last_run() }}
            or policy_id in (select touched_policies.policy_id from touched_policies)

    ),
{% endif %}

claims as (

    {{ rows_with_touched_keys('all_claims', 'touched_claims', 'claim_id') }}

),

policy_treaties as (

    select * from {{ ref('int_finance__policy_treaties') }}
    {%- if is_incremental() %}
        where policy_id in (select scoped_claims.policy_id from claims as scoped_claims)
    {%- endif %}

),

fx_rates as (

    select * from {{ ref('fx_rates_monthly') }}

),

joined as (

    select
        claims.claim_id,
        claims.policy_id,
        policy_treaties.treaty_id,
        claims.line_code,
        claims.loss_month,
        claims.policy_currency,
        policy_treaties.treaty_currency,
        policy_treaties.treaty_type,
        policy_treaties.is_unknown_treaty,
        policy_treaties.is_deleted_treaty,
        policy_treaties.ceded_share,
        policy_treaties.retention_amount,
        policy_treaties.limit_amount,
        policy_treaties.policy_proportional_share,
        claims.incurred_amount_policy_currency,
        claims.incurred_amount_usd,
        claims.policy_usd_per_unit,
        cast(treaty_fx.usd_per_unit as decimal(38, 8)) as treaty_usd_per_unit
    from claims
    inner join policy_treaties on claims.policy_id = policy_treaties.policy_id
    left join fx_rates as treaty_fx
        on
            policy_treaties.treaty_currency = treaty_fx.currency
            and cast(treaty_fx.month as date) = claims.loss_month

),

retained as (

    select
        *,
        incurred_amount_policy_currency * (1 - policy_proportional_share) as retained_loss
    from joined

),

layered as (

    select
        *,
        {{ convert_currency(
            'retained_loss', 'policy_currency', 'treaty_currency',
            'policy_usd_per_unit', 'treaty_usd_per_unit'
        ) }} as retained_loss_treaty_currency
    from retained

),

ceded as (

    select
        *,
        case
            when treaty_type = 'excess_of_loss' and not is_unknown_treaty and not is_deleted_treaty
                then {{ least_of(greatest_of('retained_loss_treaty_currency - retention_amount', '0'), 'limit_amount') }}
        end as ceded_loss_treaty_currency
    from layered

),

valued as (

    select
        *,
        case
            when ceded_loss_treaty_currency is not null
                then {{ convert_currency(
                    'ceded_loss_treaty_currency', 'treaty_currency', 'policy_currency',
                    'treaty_usd_per_unit', 'policy_usd_per_unit'
                ) }}
            else coalesce(ceded_share, 0) * incurred_amount_policy_currency
        end as ceded_incurred,
        case
            when ceded_loss_treaty_currency is not null
                then ceded_loss_treaty_currency * treaty_usd_per_unit
            else coalesce(ceded_share, 0) * incurred_amount_usd
        end as ceded_incurred_usd
    from ceded

)

select
    claim_id,
    policy_id,
    treaty_id,
    line_code,
    loss_month,
    treaty_type,
    is_unknown_treaty,
    is_deleted_treaty,
    policy_currency,
    treaty_currency,
    incurred_amount_policy_currency,
    incurred_amount_usd,
    {{ to_money('retained_loss') }} as retained_loss,
    {{ to_money('retained_loss_treaty_currency') }} as retained_loss_treaty_currency,
    {{ to_money('ceded_loss_treaty_currency') }} as ceded_loss_treaty_currency,
    {{ to_money('ceded_incurred') }} as ceded_incurred,
    {{ to_money('ceded_incurred_usd') }} as ceded_incurred_usd,
    {{ run_processed_at() }} as processed_at
from valued
