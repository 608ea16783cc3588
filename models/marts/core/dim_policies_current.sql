{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key='policy_id',
        on_schema_change='fail',
        post_hook="{{ forget_erased_policies(this, ref('int_policies__versions')) }}",
    )
}}
{#- One row per policy: its current version with the line (name, group) and the insured's
    country and type; what the semantic layer's `policy` entity groups every metric by
    (the policy's latest attributes, whichever fact the figure comes from).

    Incremental (delete+insert by policy_id, docs/incremental.md): a run recomputes the
    policies with a version processed since its last run, the policies whose current
    insured or line has a version processed since then, and the policies with an erased
    record; the post-hook forget_erased_policies deletes those left with no version. -#}
-- depends_on: {{ ref('int_insureds__versions') }}
-- depends_on: {{ ref('int_specialty_lines__versions') }}
-- depends_on: {{ ref('base_landing__erased_records') }}
with

policies as (

    {#- the versions dim_policies shows, read from the history model itself: the rows of
        the touched policies are then found without scanning every policy's -#}
    select * from {{ ref('int_policies__versions') }}
    where is_current

),

insureds as (

    select * from {{ ref('dim_insureds') }}
    where is_current and not is_unknown_member

),

lines as (

    select * from {{ ref('dim_specialty_lines') }}
    where is_current and not is_unknown_member

),

{% if is_incremental() %}
    changed_policies as (

        select policy_versions.policy_id
        from {{ ref('int_policies__versions') }} as policy_versions
        where {{ processed_since_last_run('policy_versions.processed_at') }}

    ),

    changed_insureds as (

        select distinct insured_versions.insured_id
        from {{ ref('int_insureds__versions') }} as insured_versions
        where {{ processed_since_last_run('insured_versions.processed_at') }}

    ),

    changed_lines as (

        select distinct line_versions.line_code
        from {{ ref('int_specialty_lines__versions') }} as line_versions
        where {{ processed_since_last_run('line_versions.processed_at') }}

    ),

    touched_policies as (

        select policy_id from changed_policies
        union
        select erased.policy_id
        from {{ ref('base_landing__erased_records') }} as erased
        where erased.source_name = 'policies' and erased.policy_id is not null
        union
        select current_versions.policy_id
        from {{ ref('int_policies__versions') }} as current_versions
        inner join changed_insureds on current_versions.insured_id = changed_insureds.insured_id
        where current_versions.is_current
        union
        select current_versions.policy_id
        from {{ ref('int_policies__versions') }} as current_versions
        inner join changed_lines on current_versions.line_code = changed_lines.line_code
        where current_versions.is_current

    ),
{% endif %}

recomputed as (

    {{ rows_of_touched_keys('policies') }}

),

recomputed_insureds as (

    select insureds.*
    from insureds
    {%- if is_incremental() %}
        where insureds.insured_id in (select recomputed.insured_id from recomputed)
    {%- endif %}

)

select
    cast(recomputed.policy_id as varchar) as policy_id,
    cast(coalesce(lines.line_code, 'unknown') as varchar) as line_code,
    cast(coalesce(lines.line_name, 'unknown') as varchar) as line_name,
    cast(coalesce(lines.line_group, 'unknown') as varchar) as line_group,
    cast(recomputed.policy_status as varchar) as policy_status,
    cast(extract(year from recomputed.inception_date) as integer) as underwriting_year,
    cast(recomputed.currency as varchar) as currency,
    cast(coalesce(insureds.country_code, 'unknown') as varchar) as insured_country_code,
    cast(coalesce(insureds.insured_type, 'unknown') as varchar) as insured_type,
    {{ run_processed_at() }} as processed_at
from recomputed
left join recomputed_insureds as insureds on recomputed.insured_id = insureds.insured_id
left join lines on recomputed.line_code = lines.line_code
