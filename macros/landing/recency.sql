{#- The contract's tie-break between two records of the same entity and updated_at: the
    later file wins (ingest date, then file name), then the later record in the file.
    Used wherever versions are ranked, so the rule lives in one place. -#}
{% macro later_file_first() -%}
    ingest_date desc, file_name desc, record_number desc
{%- endmacro %}
