{#- One row per policy version: the full-term gross written premium as of the version
    (nothing for a quote or a soft-deleted version) and its movement against the previous
    version, so that the movements of a policy add up to its current written premium.
    USD at the rate of the policy's inception month. -#}
with

policy_versions as (

    select * from {{ ref('int_policies__versions') }}

),

fx_rates as (

    select * from {{ ref('fx_rates_monthly') }}

),

written as (

    select
        policy_versions.*,
        policy_versions.policy_status in ({{ sql_string_list(written_policy_statuses()) }}) and not policy_versions.is_deleted
            as is_written,
        cast({{ dbt.date_trunc('month', 'inception_date') }} as date) as inception_month
    from policy_versions

),

valued as (

    select
        written.*,
        case
            when written.is_written then written.gross_written_premium else 0
        end as written_premium,
        cast(fx_rates.usd_per_unit as decimal(38, 8)) as fx_usd_per_unit
    from written
    left join fx_rates
        on
            written.currency = fx_rates.currency
            and cast(fx_rates.month as date) = written.inception_month

),

converted as (

    select
        *,
        {{ to_money('written_premium * fx_usd_per_unit') }} as written_premium_usd
    from valued

),

movements as (

    select
        *,
        written_premium - coalesce(
            lag(written_premium) over (partition by policy_id order by version_number), 0
        ) as written_premium_movement,
        written_premium_usd - coalesce(
            lag(written_premium_usd) over (partition by policy_id order by version_number), 0
        ) as written_premium_movement_usd
    from converted

)

select
    cast(policy_id as varchar) as policy_id,
    cast(policy_version_key as varchar) as policy_version_key,
    cast(version_number as bigint) as version_number,
    cast(policy_status as varchar) as policy_status,
    cast(line_code as varchar) as line_code,
    cast(insured_id as varchar) as insured_id,
    cast(inception_date as date) as inception_date,
    cast(expiry_date as date) as expiry_date,
    cast(effective_date as date) as effective_date,
    cast(valid_from as timestamp) as valid_from,
    cast(currency as varchar) as currency,
    cast(written_premium as decimal(18, 2)) as gross_written_premium,
    cast(written_premium_movement as decimal(18, 2)) as written_premium_movement,
    cast(fx_usd_per_unit as decimal(18, 8)) as fx_usd_per_unit,
    cast(written_premium_usd as decimal(18, 2)) as gross_written_premium_usd,
    cast(written_premium_movement_usd as decimal(18, 2)) as written_premium_movement_usd,
    is_written,
    is_deleted,
    is_current
from movements
