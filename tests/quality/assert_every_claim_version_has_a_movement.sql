{#- Every claim version in the history has its row in the incremental movements fact, and
    the fact has no version the history lacks: an incremental run that filters everything
    out (a watermark gone NULL) must fail here rather than leave the fact silently behind.
    Returns the versions found on one side only. -#}
with

versions as (

    select claim_version_key from {{ ref('int_claims__versions') }}

),

movements as (

    select claim_version_key from {{ ref('fct_claim_movements') }}

),

only_in_versions as (

    select
        claim_version_key,
        'missing from fct_claim_movements' as problem
    from versions
    where claim_version_key not in (select claim_version_key from movements)

),

only_in_movements as (

    select
        claim_version_key,
        'not in int_claims__versions' as problem
    from movements
    where claim_version_key not in (select claim_version_key from versions)

)

select * from only_in_versions
union all
select * from only_in_movements
