{#-
    DuckDB implementation of dbt-external-tables' build plan, over the lake (a local folder
    or s3:// through httpfs).

    Each landing table holds one row per line of every file ever landed: the file's path
    relative to the lake root, its ingest date, the record number (data row; a CSV header
    is not a record), the raw line, and `encoding_error` when the line's bytes were not
    UTF-8 (DuckDB rejects such a line; its text is kept with the bad bytes replaced).
    Files are immutable, so each is loaded once: `_landed_files` remembers every file
    landed, empty ones included, and a run loads only files it has not seen.

    A source's `external` block carries, besides dbt-external-tables' Snowflake keys:
      lake_path   folder of the source under the lake root (var lake_root)
      lake_format raw_lines (CSV and JSON Lines alike) or json_document (manifests)
      header      true when the first line of each file is a header
-#}

{% macro duckdb__get_external_build_plan(source_node) %}
    {% set ext = source_node.external %}
    {% set relation = api.Relation.create(
        database=source_node.database, schema=source_node.schema, identifier=source_node.identifier
    ) %}
    {% set files_relation = api.Relation.create(
        database=source_node.database, schema=source_node.schema, identifier='_landed_files'
    ) %}
    {% set root = (var('lake_root') | string).rstrip('/') %}
    {% set pattern = root ~ '/' ~ ext.lake_path ~ '/ingest_date=*/*' %}

    {% do run_query(insurance_warehouse.duckdb_landing_ddl(relation, files_relation, ext.lake_format)) %}

    {% set new_files_sql %}
        select file
        from glob('{{ pattern }}')
        where file not in (
            select '{{ root }}/' || file_name from {{ files_relation }}
            where source_table = '{{ source_node.identifier }}'
        )
        order by file
    {% endset %}
    {% set new_files = run_query(new_files_sql).columns[0].values() | list %}
    {% if new_files | length == 0 %}
        {% do log('    no new files under ' ~ pattern, info=true) %}
        {{ return([]) }}
    {% endif %}
    {% do log('    ' ~ new_files | length ~ ' new file(s) under ' ~ pattern, info=true) %}

    {% set plan = [] %}
    {% for chunk in new_files | batch(200) %}
        {% if ext.lake_format == 'json_document' %}
            {% do plan.append(insurance_warehouse.duckdb_load_documents(relation, files_relation, source_node.identifier, chunk, root)) %}
        {% else %}
            {% do plan.append(insurance_warehouse.duckdb_load_raw_lines(relation, files_relation, source_node.identifier, chunk, root, ext.header | default(false))) %}
        {% endif %}
    {% endfor %}
    {{ return(plan) }}
{% endmacro %}


{% macro duckdb_landing_ddl(relation, files_relation, lake_format) %}
    create schema if not exists {{ relation.schema }};
    create table if not exists {{ files_relation }} (
        source_table varchar,
        file_name varchar,
        ingest_date date,
        records bigint,
        loaded_at timestamp
    );
    {% if lake_format == 'json_document' %}
    create table if not exists {{ relation }} (
        file_name varchar,
        ingest_date date,
        document json,
        loaded_at timestamp
    );
    {% else %}
    create table if not exists {{ relation }} (
        file_name varchar,
        ingest_date date,
        record_number bigint,
        line varchar,
        encoding_error varchar,
        loaded_at timestamp
    );
    {% endif %}
{% endmacro %}


{# The relative path of a file, and its ingest date from the ingest_date= folder. #}
{% macro duckdb_lake_file_columns(path_column, root) -%}
    substr({{ path_column }}, {{ root | length + 2 }}) as file_name,
    cast(regexp_extract({{ path_column }}, 'ingest_date=([0-9]{4}-[0-9]{2}-[0-9]{2})', 1) as date) as ingest_date
{%- endmacro %}


{% macro duckdb_load_raw_lines(relation, files_relation, identifier, files, root, header) %}
    {%- set file_list = "['" ~ files | join("', '") ~ "']" -%}
    drop table if exists __landing_rejects;
    drop table if exists __landing_scans;
    create or replace temp table __landing_raw as
    select filename as file_path, line
    from read_csv(
        {{ file_list }},
        columns = {'line': 'VARCHAR'},
        delim = chr(31),
        quote = '',
        escape = '',
        header = false,
        auto_detect = false,
        filename = true,
        store_rejects = true,
        rejects_table = '__landing_rejects',
        rejects_scan = '__landing_scans'
    );

    {#- read_csv has no line number, and a rejected line shifts the good ones: number
        the good lines of each file in file order, then give the k-th good line the k-th
        line number that was not rejected. -#}
    insert into {{ relation }} (file_name, ingest_date, record_number, line, encoding_error, loaded_at)
    with good as (
        select file_path, line, row_number() over (partition by file_path order by rowid) as k
        from __landing_raw
    ),
    rejected as (
        select scans.file_path, rejects.line as line_number, rejects.csv_line as line, rejects.error_type
        from __landing_rejects as rejects
        inner join __landing_scans as scans
            on rejects.scan_id = scans.scan_id and rejects.file_id = scans.file_id
    ),
    line_counts as (
        select file_path, count(*) as lines
        from (select file_path from good union all select file_path from rejected)
        group by file_path
    ),
    numbers as (
        select file_path, unnest(range(1, lines + 1)) as line_number from line_counts
    ),
    good_numbers as (
        select
            numbers.file_path,
            numbers.line_number,
            row_number() over (partition by numbers.file_path order by numbers.line_number) as k
        from numbers
        anti join rejected
            on numbers.file_path = rejected.file_path and numbers.line_number = rejected.line_number
    ),
    all_lines as (
        select good.file_path, good_numbers.line_number, good.line, null as encoding_error
        from good
        inner join good_numbers on good.file_path = good_numbers.file_path and good.k = good_numbers.k
        union all
        select file_path, line_number, line, error_type from rejected
    )
    select
        {{ insurance_warehouse.duckdb_lake_file_columns('file_path', root) }},
        line_number - {{ 1 if header else 0 }} as record_number,
        line,
        encoding_error,
        current_timestamp as loaded_at
    from all_lines
    where line_number > {{ 1 if header else 0 }};

    insert into {{ files_relation }}
    with listed as (select unnest({{ file_list }}) as file_path)
    select
        '{{ identifier }}' as source_table,
        {{ insurance_warehouse.duckdb_lake_file_columns('listed.file_path', root) }},
        count(landed.file_name) as records,
        current_timestamp as loaded_at
    from listed
    left join {{ relation }} as landed
        on landed.file_name = substr(listed.file_path, {{ root | length + 2 }})
    group by listed.file_path;
{% endmacro %}


{% macro duckdb_load_documents(relation, files_relation, identifier, files, root) %}
    {%- set file_list = "['" ~ files | join("', '") ~ "']" -%}
    insert into {{ relation }} (file_name, ingest_date, document, loaded_at)
    select
        {{ insurance_warehouse.duckdb_lake_file_columns('filename', root) }},
        content::json as document,
        current_timestamp as loaded_at
    from read_text({{ file_list }});

    insert into {{ files_relation }}
    select
        '{{ identifier }}' as source_table,
        {{ insurance_warehouse.duckdb_lake_file_columns('filename', root) }},
        1 as records,
        current_timestamp as loaded_at
    from read_text({{ file_list }});
{% endmacro %}
