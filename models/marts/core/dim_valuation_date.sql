{#- The valuation date, one row: the date every "to date" figure is as at. The
    valuation_date variable when it is given (--vars '{valuation_date: 2026-11-30}'), else
    the latest ingest date that reached the warehouse (transaction time), else, before
    anything has landed, today. Read from the data, not from a var default, so that
    --empty builds and offline compiles need no query. -#}
{%- set given = var('valuation_date', none) %}
with

manifest_files as (

    select * from {{ ref('stg_landing__manifest_files') }}

),

landed as (

    select max(ingest_date) as latest_ingest_date
    from manifest_files

),

chosen as (

    select
        latest_ingest_date,
        {% if given -%}
            cast('{{ given }}' as date) as valuation_date,
            'valuation_date variable' as valuation_date_source
        {%- else -%}
            coalesce(latest_ingest_date, current_date) as valuation_date,
            case
                when latest_ingest_date is null then 'current date (nothing landed)'
                else 'latest ingest date'
            end as valuation_date_source
        {%- endif %}
    from landed

)

select
    cast(valuation_date as date) as valuation_date,
    cast({{ dbt.date_trunc('month', 'valuation_date') }} as date) as valuation_month,
    cast(valuation_date_source as varchar) as valuation_date_source,
    cast(latest_ingest_date as date) as latest_ingest_date
from chosen
