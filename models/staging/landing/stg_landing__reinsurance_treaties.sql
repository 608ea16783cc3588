{#- The latest accepted version of each treaty: latest updated_at wins, ties
    broken by the later file (ingest date, then file name, then record number). A soft
    delete is the latest version with is_deleted = true. -#}
{{ latest_wins('base_landing__reinsurance_treaties', 'treaty_id', [
    'treaty_id',
    'treaty_name',
    'reinsurer_name',
    'reinsurer_rating',
    'treaty_type',
    'line_code',
    'inception_date',
    'expiry_date',
    'currency',
    'cession_pct',
    'retention_amount',
    'limit_amount',
    'premium_rate_pct',
    'commission_pct',
    'record_status',
    'updated_at',
]) }}
