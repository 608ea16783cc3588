{#-
    `dbt run-operation stage_external_sources` in air-gapped mode: the project's own
    implementation of dbt-external-tables' entry point, over the same sources YAML.

    In full mode the `full/` project's root macro of the same name hands over to the
    dbt-external-tables package, which dispatches to the `duckdb__` macros below on DuckDB
    (and to its own implementation on Snowflake). Either way one build plan per source.
-#}
{% macro stage_external_sources(select=none) %}
    {% if target.type != 'duckdb' %}
        {{ exceptions.raise_compiler_error(
            "External tables on " ~ target.type ~ " are created by the dbt-external-tables "
            ~ "package: run from the full/ project (full mode), see the README."
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
