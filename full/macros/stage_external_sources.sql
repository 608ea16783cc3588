{#- Full mode: `dbt run-operation stage_external_sources` is dbt-external-tables' own
    (a root-project macro wins over the warehouse package's air-gapped one). -#}
{% macro stage_external_sources(select=none) %}
    {{ return(dbt_external_tables.stage_external_sources(select)) }}
{% endmacro %}
