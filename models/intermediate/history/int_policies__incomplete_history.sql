{#- Policies whose history in the lake is incomplete: a record of theirs is quarantined,
    or a version has not arrived yet (a gap in the source system's version numbers). The
    arithmetic that needs every version (earned premium, retained premium) is checked on
    the other policies only. -#}
with

quarantine as (

    select * from {{ ref('stg_landing__quarantine') }}
    where source_name = 'policies'

),

versions as (

    select * from {{ ref('int_policies__versions') }}

),

with_quarantined_record as (

    select distinct
        {{ dbt.split_part(dbt.split_part('raw_line', "'\"policy_id\": \"'", 2), "'\"'", 1) }}
            as policy_id,
        'a record is quarantined' as reason
    from quarantine

),

with_missing_version as (

    select
        policy_id,
        'a version has not arrived' as reason
    from versions
    group by policy_id
    having count(distinct source_version) != max(source_version)

),

unioned as (

    select
        policy_id,
        reason
    from with_quarantined_record
    union all
    select
        policy_id,
        reason
    from with_missing_version

)

select
    policy_id,
    min(reason) as reason
from unioned
where policy_id != ''
group by policy_id
