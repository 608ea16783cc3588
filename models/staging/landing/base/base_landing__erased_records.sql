{#- The landed records that an erasure request covers (seed erasure_requests; the
    procedure: docs/access.md, "Right to be forgotten"). The lake is immutable, so the
    records stay there; every base model leaves these out, and with them every model
    downstream. An insured's records are the lines that name its id (insureds, and the
    policies written for it), then the claims on those policies. Only the records'
    places in the lake and the policy and claim keys are kept here: never the insured's
    id, never a field of the record.

    The landed lines are matched by an inner join with the requests (not `exists`): with
    no request, the join's empty side ends the scan of the lake's lines at once, so a
    build with an empty suppression list reads no line. -#}
with

requests as (

    select insured_id from {{ ref('erasure_requests') }}

),

insured_lines as (

    select distinct
        landed.file_name,
        landed.record_number
    from {{ source('landing', 'insureds') }} as landed
    inner join requests
        on {{ dbt.position('requests.insured_id', 'landed.line') }} > 0

),

matched_policy_lines as (

    select distinct
        landed.file_name,
        landed.record_number,
        landed.line
    from {{ source('landing', 'policies') }} as landed
    inner join requests
        on {{ dbt.position('requests.insured_id', 'landed.line') }} > 0

),

policy_lines as (

    select
        file_name,
        record_number,
        {{ parse_json_object('line') }} as document
    from matched_policy_lines

),

erased_policies as (

    select
        file_name,
        record_number,
        {{ json_text('document', ['policy_id']) }} as policy_id
    from policy_lines

),

matched_claim_lines as (

    select distinct
        landed.file_name,
        landed.record_number,
        landed.line
    from {{ source('landing', 'claims') }} as landed
    inner join erased_policies
        on
            erased_policies.policy_id is not null
            and {{ dbt.position('erased_policies.policy_id', 'landed.line') }} > 0

),

claim_lines as (

    select
        file_name,
        record_number,
        {{ parse_json_object('line') }} as document
    from matched_claim_lines

),

erased_claims as (

    select
        file_name,
        record_number,
        {{ json_text('document', ['policy_id']) }} as policy_id,
        {{ json_text('document', ['claim_id']) }} as claim_id
    from claim_lines

)

select
    'insureds' as source_name,
    file_name,
    record_number,
    cast(null as varchar) as policy_id,
    cast(null as varchar) as claim_id
from insured_lines
union all
select
    'policies' as source_name,
    file_name,
    record_number,
    policy_id,
    cast(null as varchar) as claim_id
from erased_policies
union all
select
    'claims' as source_name,
    file_name,
    record_number,
    policy_id,
    claim_id
from erased_claims
