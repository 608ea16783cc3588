{#- Specialty lines of business, one row per version (SCD2), plus the unknown member. -#}
with

versions as (

    select * from {{ ref('int_specialty_lines__versions') }}

),

line_versions as (

    select
        line_version_key,
        line_code,
        version_number,
        line_name,
        line_group,
        is_active,
        is_deleted,
        valid_from,
        valid_to,
        is_current,
        false as is_unknown_member
    from versions

),

unknown_member as (

    select
        '-1' as line_version_key,
        'unknown' as line_code,
        0 as version_number,
        'unknown' as line_name,
        'unknown' as line_group,
        cast(null as boolean) as is_active,
        false as is_deleted,
        cast('1900-01-01' as timestamp) as valid_from,
        cast(null as timestamp) as valid_to,
        true as is_current,
        true as is_unknown_member

)

select * from line_versions
union all
select * from unknown_member
