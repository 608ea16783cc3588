{#- Every version of each claim found in the lake, in system time: exact duplicates and
    re-deliveries counted once, versions ordered by updated_at whatever order they arrived
    in (a tie goes to the later file). valid_to is the next version's valid_from. -#}
with

accepted as (

    select * from {{ ref('base_landing__claims') }}
    where quarantine_reason is null

),

deduplicated as (

    select
        *,
        row_number() over (
            partition by claim_id, updated_at
            order by {{ later_file_first() }}
        ) as duplicate_rank
    from accepted

),

versions as (

    select
        *,
        row_number() over (partition by claim_id order by updated_at) as version_number,
        lead(updated_at) over (partition by claim_id order by updated_at) as next_updated_at
    from deduplicated
    where duplicate_rank = 1

)

select
    {{ version_key('claim_id') }}
        as claim_version_key,
    * exclude (line, quarantine_reason, duplicate_rank, next_updated_at),
    updated_at as valid_from,
    next_updated_at as valid_to,
    next_updated_at is null as is_current,
    record_status = 'deleted' as is_deleted
from versions
