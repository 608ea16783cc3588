{#-
    `dbt run-operation stage_external_sources`, the same command in both modes.

    With the hub packages (the root project, `hub_packages: true`) it hands over to
    dbt-external-tables: on Snowflake the package creates and refreshes the external
    tables; on DuckDB it dispatches to the `duckdb__` macros of this project
    (duckdb_external_tables.sql), per the root's `dispatch:` search order.
    Without them (the offline project) the project's own loop runs the same DuckDB build
    plan over the same sources YAML. One build plan per source either way.
-#}
{% macro stage_external_sources(select=none) %}
    {% if var('hub_packages') %}
        {% do dbt_external_tables.stage_external_sources(select) %}
        {% if target.type != 'duckdb' %}
            {#- the DuckDB loader keeps this table; elsewhere it exists, empty, so that the
                landing test reads the same source on every engine -#}
            {% do run_query(insurance_warehouse.landing_issues_ddl()) %}
        {% endif %}
        {{ return(none) }}
    {% endif %}
    {% if target.type != 'duckdb' %}
        {{ exceptions.raise_compiler_error(
            "External tables on " ~ target.type ~ " are created by the dbt-external-tables "
            ~ "package: run `dbt deps`, then this command, from the repository root "
            ~ "(the offline project has no hub package)."
        ) }}
    {% endif %}
    {% set nodes = insurance_warehouse.external_source_nodes(select) %}
    {% if nodes | length == 0 %}
        {% do log('No external sources selected', info=true) %}
    {% endif %}
    {% for node in nodes %}
        {% set label = loop.index ~ ' of ' ~ loop.length %}
        {% do log(label ~ ' START external source ' ~ node.schema ~ '.' ~ node.identifier, info=true) %}
        {% set plan = insurance_warehouse.duckdb__get_external_build_plan(node) %}
        {% for statement in plan %}
            {% do run_query(statement) %}
        {% endfor %}
        {% do log(label ~ ' DONE ' ~ node.identifier ~ ': ' ~ plan | length ~ ' statement(s)', info=true) %}
    {% endfor %}
{% endmacro %}


{# Source nodes with an `external` block, filtered like dbt-external-tables' `select`. #}
{% macro external_source_nodes(select=none) %}
    {% set selected = [] %}
    {% for node in graph.sources.values() if node.external %}
        {% if not select %}
            {% do selected.append(node) %}
        {% else %}
            {% for item in select.split(' ') %}
                {% set parts = item.split('.') %}
                {% if parts[0] == node.source_name and (parts | length == 1 or parts[1] == node.name) %}
                    {% do selected.append(node) %}
                {% endif %}
            {% endfor %}
        {% endif %}
    {% endfor %}
    {{ return(selected) }}
{% endmacro %}


{#- What landing did not land (source landing.landing_issues). -#}
{% macro landing_issues_ddl(relation=none) %}
    {%- set relation = relation or api.Relation.create(
        database=target.database, schema=var('landing_schema'), identifier='_landing_issues'
    ) -%}
    create table if not exists {{ relation }} (
        source_table varchar,
        file_name varchar,
        severity varchar,
        reason varchar,
        seen_at timestamp
    )
{% endmacro %}
