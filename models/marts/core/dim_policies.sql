{#- Policies, one row per version (SCD2 in system time), plus the unknown member that
    facts point at while a policy has not arrived. Underwriters and brokers by id only: their
    names are personal data and stay below the reporting layer (docs/access.md). -#}
{#- A view: its rows are the versions of int_policies__versions (incremental) and the unknown
    member, so a build computes nothing here and a reader scans the history model as it
    would this table (docs/incremental.md). -#}
{{ config(materialized='view') }}
with

versions as (

    select * from {{ ref('int_policies__versions') }}

),

policy_versions as (

    select
        policy_version_key,
        policy_id,
        version_number,
        policy_number,
        insured_id,
        line_code,
        policy_status,
        inception_date,
        expiry_date,
        effective_date,
        currency,
        gross_written_premium,
        commission_pct,
        taxes,
        sum_insured,
        deductible,
        underwriter_id,
        broker_id,
        broker_country_code,
        is_deleted,
        valid_from,
        valid_to,
        is_current,
        false as is_unknown_member
    from versions

),

unknown_member as (

    select
        '-1' as policy_version_key,
        'unknown' as policy_id,
        0 as version_number,
        'unknown' as policy_number,
        'unknown' as insured_id,
        'unknown' as line_code,
        'unknown' as policy_status,
        cast(null as date) as inception_date,
        cast(null as date) as expiry_date,
        cast(null as date) as effective_date,
        cast(null as varchar) as currency,
        cast(null as decimal(18, 2)) as gross_written_premium,
        cast(null as decimal(9, 4)) as commission_pct,
        cast(null as decimal(18, 2)) as taxes,
        cast(null as decimal(18, 2)) as sum_insured,
        cast(null as decimal(18, 2)) as deductible,
        cast(null as varchar) as underwriter_id,
        cast(null as varchar) as broker_id,
        cast(null as varchar) as broker_country_code,
        false as is_deleted,
        cast('1900-01-01' as timestamp) as valid_from,
        cast(null as timestamp) as valid_to,
        true as is_current,
        true as is_unknown_member

)

select * from policy_versions
union all
select * from unknown_member
