{#- The latest accepted version of each insured: latest updated_at wins, ties
    broken by the later file (ingest date, then file name, then record number). A soft
    delete is the latest version with is_deleted = true. -#}
{{ latest_wins('base_landing__insureds', 'insured_id', [
    'insured_id',
    'insured_type',
    'full_name',
    'email',
    'phone',
    'date_of_birth',
    'industry',
    'address_line',
    'city',
    'region',
    'postal_code',
    'country_code',
    'annual_revenue_usd',
    'risk_rating',
    'record_status',
    'created_at',
    'updated_at',
]) }}
