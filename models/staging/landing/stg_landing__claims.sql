{#- The latest accepted version of each claim: latest updated_at wins, ties
    broken by the later file (ingest date, then file name, then record number). A soft
    delete is the latest version with is_deleted = true. -#}
{{ latest_wins('base_landing__claims', 'claim_id', [
    'claim_id',
    'policy_id',
    'loss_date',
    'reported_date',
    'claim_status',
    'cause_of_loss',
    'loss_country_code',
    'loss_region',
    'currency',
    'paid_amount',
    'reserve_amount',
    'recovered_amount',
    'adjuster_id',
    'adjuster_name',
    'record_status',
    'updated_at',
    'unexpected_fields',
]) }}
