{#- Reinsurance treaties, one row per version (SCD2), plus the unknown member. -#}
with

versions as (

    select * from {{ ref('int_reinsurance_treaties__versions') }}

),

treaty_versions as (

    select
        treaty_version_key,
        treaty_id,
        version_number,
        treaty_name,
        reinsurer_name,
        reinsurer_rating,
        treaty_type,
        line_code,
        inception_date,
        expiry_date,
        currency,
        cession_pct,
        retention_amount,
        limit_amount,
        premium_rate_pct,
        commission_pct,
        is_deleted,
        valid_from,
        valid_to,
        is_current,
        false as is_unknown_member
    from versions

),

unknown_member as (

    select
        '-1' as treaty_version_key,
        'unknown' as treaty_id,
        0 as version_number,
        'unknown' as treaty_name,
        'unknown' as reinsurer_name,
        cast(null as varchar) as reinsurer_rating,
        'unknown' as treaty_type,
        'unknown' as line_code,
        cast(null as date) as inception_date,
        cast(null as date) as expiry_date,
        cast(null as varchar) as currency,
        cast(null as decimal(9, 4)) as cession_pct,
        cast(null as decimal(18, 2)) as retention_amount,
        cast(null as decimal(18, 2)) as limit_amount,
        cast(null as decimal(9, 4)) as premium_rate_pct,
        cast(null as decimal(9, 4)) as commission_pct,
        false as is_deleted,
        cast('1900-01-01' as timestamp) as valid_from,
        cast(null as timestamp) as valid_to,
        true as is_current,
        true as is_unknown_member

)

select * from treaty_versions
union all
select * from unknown_member
