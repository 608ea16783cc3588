{#- Every landed record the warehouse cannot use, with its raw text, where it came from
    and why. The rest of its file is loaded; these rows are kept for repair and audit. -#}
{%- set sources = ['insureds', 'reinsurance_treaties', 'specialty_lines', 'policies', 'claims'] -%}
with

{% for source_name in sources %}
    {{ source_name }} as (

        select
            '{{ source_name }}' as source_name,
            file_name,
            ingest_date,
            record_number,
            line as raw_line,
            quarantine_reason
        from {{ ref('base_landing__' ~ source_name) }}
        where quarantine_reason is not null

    ),

{% endfor %}
unioned as (

    {% for source_name in sources %}
        select * from {{ source_name }}
        {% if not loop.last %}union all{% endif %}
    {% endfor %}

)

select
    source_name,
    file_name,
    ingest_date,
    record_number,
    raw_line,
    quarantine_reason,
    {{ dbt.split_part('quarantine_reason', "':'", 1) }} as quarantine_category
from unioned
