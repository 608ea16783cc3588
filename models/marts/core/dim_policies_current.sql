{#- One row per policy: its current version with the line (name, group) and the insured's
    country and type; what the semantic layer's `policy` entity groups every metric by
    (the policy's latest attributes, whichever fact the figure comes from). -#}
with

policies as (

    select * from {{ ref('dim_policies') }}
    where is_current and not is_unknown_member

),

insureds as (

    select * from {{ ref('dim_insureds') }}
    where is_current and not is_unknown_member

),

lines as (

    select * from {{ ref('dim_specialty_lines') }}
    where is_current and not is_unknown_member

)

select
    cast(policies.policy_id as varchar) as policy_id,
    cast(coalesce(lines.line_code, 'unknown') as varchar) as line_code,
    cast(coalesce(lines.line_name, 'unknown') as varchar) as line_name,
    cast(coalesce(lines.line_group, 'unknown') as varchar) as line_group,
    cast(policies.policy_status as varchar) as policy_status,
    cast(extract(year from policies.inception_date) as integer) as underwriting_year,
    cast(policies.currency as varchar) as currency,
    cast(coalesce(insureds.country_code, 'unknown') as varchar) as insured_country_code,
    cast(coalesce(insureds.insured_type, 'unknown') as varchar) as insured_type
from policies
left join insureds on policies.insured_id = insureds.insured_id
left join lines on policies.line_code = lines.line_code
