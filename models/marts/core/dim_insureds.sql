{#- Insureds, one row per version (SCD2 in system time), plus the unknown member. The
    reporting layer holds no personal data (docs/access.md): names, contacts and street
    addresses stay in the layers below; the date of birth is generalised to its year. -#}
{#- A view: its rows are the versions of int_insureds__versions (incremental) and the unknown
    member, so a build computes nothing here and a reader scans the history model as it
    would this table (docs/incremental.md). -#}
{{ config(materialized='view') }}
with

versions as (

    select * from {{ ref('int_insureds__versions') }}

),

insured_versions as (

    select
        insured_version_key,
        insured_id,
        version_number,
        insured_type,
        cast(extract(year from date_of_birth) as integer) as birth_year,
        industry,
        city,
        region,
        country_code,
        annual_revenue_usd,
        risk_rating,
        is_deleted,
        created_at,
        valid_from,
        valid_to,
        is_current,
        false as is_unknown_member
    from versions

),

unknown_member as (

    select
        '-1' as insured_version_key,
        'unknown' as insured_id,
        0 as version_number,
        'unknown' as insured_type,
        cast(null as integer) as birth_year,
        cast(null as varchar) as industry,
        cast(null as varchar) as city,
        cast(null as varchar) as region,
        cast(null as varchar) as country_code,
        cast(null as decimal(18, 2)) as annual_revenue_usd,
        cast(null as varchar) as risk_rating,
        false as is_deleted,
        cast(null as timestamp) as created_at,
        cast('1900-01-01' as timestamp) as valid_from,
        cast(null as timestamp) as valid_to,
        true as is_current,
        true as is_unknown_member

)

select * from insured_versions
union all
select * from unknown_member
