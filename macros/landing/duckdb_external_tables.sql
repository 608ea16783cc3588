{#-
    DuckDB implementation of dbt-external-tables' build plan, over the lake (a local folder
    or s3:// through httpfs).

    Each landing table holds one row per line of every file landed: the file's path
    relative to the lake root, its ingest date, the record number (data rows from 1; a CSV
    header is record 0, as on Snowflake's external tables), the raw line, and
    `encoding_error` when DuckDB could not read the line (bytes that are not UTF-8, or a line
    longer than the reader's limit; its beginning is kept).

    A file lands exactly once, whole, and only as its manifest describes it:
      - every file under the source's folder is listed; a file that is not directly in an
        `ingest_date=YYYY-MM-DD` folder is reported (warn) and skipped;
      - a new file is checked against the manifests (`_manifests/ingest_date=*/*.json`, read
        from the lake): listed with the same size and SHA-256 → it lands; listed with another
        size or hash → refused (error); not listed yet → pending (warn) until its batch's
        manifest arrives (the uploader sends manifests last). A compressed file cut short
        fails its hash, so it never lands half-read;
      - a landed file whose size or modification time changed is hashed again: if its
        content changed it is reported (error) and its landed rows stay as they were;
      - a file's rows and its entry in `_landed_files` are written in one transaction, so a
        run killed at any point lands each file exactly once when it is run again.
    What was refused, pending or skipped is in `_landing_issues` (current state, per source),
    which the run summary lists and a source test turns into a failed build (errors).

    Every path reaches SQL as a quoted literal (landing_sql_literal), never as SQL text.

    A source's `external` block carries, besides dbt-external-tables' Snowflake keys:
      lake_path   folder of the source under the lake root (var lake_root)
      lake_format raw_lines (CSV and JSON Lines alike) or json_document (manifests)
      header      true when the first line of each file is a header
-#}

{% macro landing_sql_literal(value) -%}
    '{{ value | string | replace("'", "''") }}'
{%- endmacro %}


{% macro landing_sql_list(values) -%}
    [{% for value in values %}{{ insurance_warehouse.landing_sql_literal(value) }}{% if not loop.last %}, {% endif %}{% endfor %}]
{%- endmacro %}


{#- One file's path for a DuckDB reader, which takes any path as a glob: `*`, `?` and `[`
    stand for themselves (a file named `b*.csv` must not read `bb.csv` too); `pattern`, a
    glob of the project's own, may follow the escaped path. -#}
{% macro landing_file_literal(path, pattern='') -%}
    {%- set escaped -%}
        {%- for ch in path -%}{% if ch in '*?[' %}[{{ ch }}]{% else %}{{ ch }}{% endif %}{%- endfor -%}
    {%- endset -%}
    {{ insurance_warehouse.landing_sql_literal(escaped ~ pattern) }}
{%- endmacro %}


{% macro duckdb__get_external_build_plan(source_node) %}
    {% set ext = source_node.external %}
    {% set relation = api.Relation.create(
        database=source_node.database, schema=source_node.schema, identifier=source_node.identifier
    ) %}
    {% set files_relation = api.Relation.create(
        database=source_node.database, schema=source_node.schema, identifier='_landed_files'
    ) %}
    {% set issues_relation = api.Relation.create(
        database=source_node.database, schema=source_node.schema, identifier='_landing_issues'
    ) %}
    {% set root = (var('lake_root') | string).rstrip('/') %}
    {% set folder = root ~ '/' ~ ext.lake_path %}

    {% do run_query(insurance_warehouse.duckdb_landing_ddl(relation, files_relation, issues_relation, ext.lake_format)) %}
    {% do run_query(insurance_warehouse.duckdb_landing_inventory(source_node.identifier, files_relation, root, folder, ext.lake_format)) %}
    {% do run_query(insurance_warehouse.duckdb_landing_decide(ext.lake_format)) %}

    {% set decided_sql %}
        select action, file_path, reason from __landing_inventory order by file_path
    {% endset %}
    {% set decided = run_query(decided_sql) %}
    {% set to_land = [] %}
    {% set counts = {'land': 0, 'refuse': 0, 'pending': 0, 'skip': 0, 'changed': 0, 'landed': 0} %}
    {% for row in decided.rows %}
        {% do counts.update({row[0]: counts[row[0]] + 1}) %}
        {% if row[0] == 'land' %}
            {% do to_land.append(row[1]) %}
        {% elif row[0] in ('refuse', 'changed') %}
            {% do log('    ERROR ' ~ row[1] ~ ': ' ~ row[2], info=true) %}
        {% elif row[0] in ('pending', 'skip') %}
            {% do log('    WARN ' ~ row[1] ~ ': ' ~ row[2], info=true) %}
        {% endif %}
    {% endfor %}
    {% do run_query(insurance_warehouse.duckdb_record_landing_issues(source_node.identifier, issues_relation, root)) %}
    {% if ext.lake_format == 'json_document' %}
        {% do run_query(insurance_warehouse.duckdb_record_unknown_folders(source_node.identifier, issues_relation, root)) %}
    {% endif %}
    {% do log('    ' ~ to_land | length ~ ' file(s) to land under ' ~ folder ~ ' ('
        ~ counts['landed'] ~ ' landed before, ' ~ counts['pending'] ~ ' pending, '
        ~ (counts['refuse'] + counts['changed']) ~ ' refused, ' ~ counts['skip'] ~ ' skipped)', info=true) %}

    {% set plan = [] %}
    {% for path in to_land %}
        {% if ext.lake_format == 'json_document' %}
            {% do plan.append(insurance_warehouse.duckdb_load_document(relation, files_relation, source_node.identifier, path, root)) %}
        {% else %}
            {% do plan.append(insurance_warehouse.duckdb_load_raw_lines(relation, files_relation, source_node.identifier, path, root, ext.header | default(false))) %}
        {% endif %}
    {% endfor %}
    {{ return(plan) }}
{% endmacro %}


{% macro duckdb_landing_ddl(relation, files_relation, issues_relation, lake_format) %}
    create schema if not exists {{ relation.schema }};
    create table if not exists {{ files_relation }} (
        source_table varchar,
        file_name varchar,
        ingest_date date,
        records bigint,
        loaded_at timestamp
    );
    alter table {{ files_relation }} add column if not exists bytes bigint;
    alter table {{ files_relation }} add column if not exists sha256 varchar;
    alter table {{ files_relation }} add column if not exists last_modified timestamp;
    {{ insurance_warehouse.landing_issues_ddl(issues_relation) }};
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


{#- The path of a file relative to the lake root, and its ingest date from its folder
    (null when the folder is not a valid ingest_date=YYYY-MM-DD). -#}
{% macro duckdb_lake_file_columns(path_column, root) -%}
    substr({{ path_column }}, {{ root | length + 2 }}) as file_name,
    {{ insurance_warehouse.duckdb_ingest_date(path_column) }} as ingest_date
{%- endmacro %}

{% macro duckdb_ingest_date(path_column) -%}
    try_cast(regexp_extract({{ path_column }}, '/ingest_date=([0-9]{4}-[0-9]{2}-[0-9]{2})/[^/]+$', 1) as date)
{%- endmacro %}


{#- __landing_listing: every file under the source's folder, with what the warehouse and
    the manifests know of it; __landing_to_hash: the files whose content must be hashed. -#}
{% macro duckdb_landing_inventory(identifier, files_relation, root, folder, lake_format) %}
    {%- set manifest_glob = insurance_warehouse.landing_file_literal(root, '/_manifests/ingest_date=*/*.json') -%}
    {%- set has_manifests = run_query('select count(*) from glob(' ~ manifest_glob ~ ')').columns[0].values()[0] > 0 -%}
    {%- set has_files = run_query('select count(*) from glob(' ~ insurance_warehouse.landing_file_literal(folder, '/**') ~ ')').columns[0].values()[0] > 0 -%}
    create or replace temp table __landing_listing as
    with

    {% if has_files %}
    listed as (
        select filename as file_path, size as bytes, last_modified
        from read_blob({{ insurance_warehouse.landing_file_literal(folder, '/**') }})
    ),
    {% else %}
    listed as (
        select null::varchar as file_path, null::bigint as bytes, null::timestamp as last_modified
        where false
    ),
    {% endif %}

    {% if has_manifests and lake_format != 'json_document' %}
    manifest_documents as (
        select content
        from read_text({{ manifest_glob }})
        where json_valid(content)
    ),
    manifest_entries as (
        select
            json_extract_string(entry, '$.path') as file_name,
            try_cast(json_extract_string(entry, '$.bytes') as bigint) as bytes,
            lower(json_extract_string(entry, '$.sha256')) as sha256
        from manifest_documents
        cross join unnest(cast(json_extract(content, '$.files') as json[])) as files(entry)
    ),
    {% else %}
    manifest_entries as (
        select null::varchar as file_name, null::bigint as bytes, null::varchar as sha256
        where false
    ),
    {% endif %}

    classified as (
        select
            listed.*,
            substr(listed.file_path, {{ root | length + 2 }}) as file_name,
            {{ insurance_warehouse.duckdb_ingest_date('listed.file_path') }} as ingest_date,
            regexp_full_match(
                substr(listed.file_path, {{ folder | length + 2 }}),
                'ingest_date=[^/]+/[^/]+'
            ) as in_a_batch_folder
        from listed
    ),

    with_state as (
        select
            classified.*,
            landed.file_name is not null as was_landed,
            landed.bytes as landed_bytes,
            landed.sha256 as landed_sha256,
            landed.last_modified as landed_last_modified,
            manifest.file_name is not null as is_listed,
            manifest.bytes as listed_bytes,
            manifest.sha256 as listed_sha256
        from classified
        left join {{ files_relation }} as landed
            on landed.source_table = {{ insurance_warehouse.landing_sql_literal(identifier) }}
            and landed.file_name = classified.file_name
        left join (
            -- a file listed twice (a manifest delivered again) is one entry
            select file_name, any_value(bytes) as bytes, any_value(sha256) as sha256
            from manifest_entries
            group by file_name
        ) as manifest
            on manifest.file_name = classified.file_name
    ),

    final as (
        select * from with_state
    )

    select * from final;

    {#- Hash only what must be: new files the manifests list with the right size, and
        landed files whose size or modification time moved. -#}
    create or replace temp table __landing_to_hash as
    select file_path
    from __landing_listing
    where in_a_batch_folder
        and ingest_date is not null
        and (
            (not was_landed and {% if lake_format == 'json_document' %}true{% else %}is_listed and bytes = listed_bytes{% endif %})
            or (was_landed and landed_sha256 is not null
                and (bytes != landed_bytes or last_modified != landed_last_modified))
        );
{% endmacro %}


{% macro duckdb_landing_decide(lake_format) %}
    {%- set paths = run_query('select file_path from __landing_to_hash order by 1').columns[0].values() | list -%}
    {#- one file per statement: hashing holds one file's content at a time, never several -#}
    create or replace temp table __landing_hashes as
    select null::varchar as file_path, null::varchar as sha256 where false;
    {% for path in paths %}
    insert into __landing_hashes
    select filename, lower(sha256(content))
    from read_blob({{ insurance_warehouse.landing_file_literal(path) }});
    {% endfor %}

    create or replace temp table __landing_inventory as
    with with_state as (select * from __landing_listing),
    hashed as (select * from __landing_hashes)
    select
        with_state.file_path,
        with_state.file_name,
        with_state.ingest_date,
        with_state.bytes,
        with_state.last_modified,
        hashed.sha256,
        case
            when not with_state.in_a_batch_folder then 'skip'
            when with_state.ingest_date is null then 'skip'
            when with_state.was_landed and hashed.sha256 is not null
                and hashed.sha256 != with_state.landed_sha256 then 'changed'
            when with_state.was_landed then 'landed'
            {% if lake_format == 'json_document' %}
            else 'land'
            {% else %}
            when not with_state.is_listed then 'pending'
            when with_state.bytes != with_state.listed_bytes then 'refuse'
            when hashed.sha256 != with_state.listed_sha256 then 'refuse'
            else 'land'
            {% endif %}
        end as action,
        case
            when not with_state.in_a_batch_folder
                then 'not directly in an ingest_date=YYYY-MM-DD folder of the source: not read'
            when with_state.ingest_date is null
                then 'the folder name is not ingest_date=YYYY-MM-DD with a real date: not read'
            when with_state.was_landed and hashed.sha256 is not null
                and hashed.sha256 != with_state.landed_sha256
                then 'changed after it landed (SHA-256 ' || with_state.landed_sha256
                    || ' when landed, now ' || hashed.sha256 || '): the landed rows are kept'
            when with_state.was_landed then null
            {% if lake_format != 'json_document' %}
            when not with_state.is_listed
                then 'pending: no manifest lists this file yet'
            when with_state.bytes != with_state.listed_bytes
                then 'refused: ' || with_state.bytes || ' bytes, its manifest says '
                    || with_state.listed_bytes
            when hashed.sha256 != with_state.listed_sha256
                then 'refused: SHA-256 ' || hashed.sha256 || ', its manifest says '
                    || with_state.listed_sha256
            {% endif %}
        end as reason
    from with_state
    left join hashed on with_state.file_path = hashed.file_path;
{% endmacro %}


{#- This source's current issues: refused, changed, pending and skipped files. -#}
{% macro duckdb_record_landing_issues(identifier, issues_relation, root) %}
    begin transaction;
    delete from {{ issues_relation }}
    where source_table = {{ insurance_warehouse.landing_sql_literal(identifier) }};
    insert into {{ issues_relation }} (source_table, file_name, severity, reason, seen_at)
    select
        {{ insurance_warehouse.landing_sql_literal(identifier) }},
        file_name,
        case when action in ('refuse', 'changed') then 'error' else 'warn' end,
        reason,
        current_timestamp
    from __landing_inventory
    where action in ('refuse', 'changed', 'pending', 'skip');
    commit;
{% endmacro %}


{#- Top-level folders of the lake that no source reads (the manifests' plan reports them,
    once per run): a feed delivered to the wrong place is said, not silently ignored. -#}
{% macro duckdb_record_unknown_folders(identifier, issues_relation, root) %}
    {%- set known = ['_manifests', '_faults'] -%}
    {%- for node in graph.sources.values() if node.external and node.external.lake_path -%}
        {%- do known.append(node.external.lake_path) -%}
    {%- endfor -%}
    {%- set pattern = insurance_warehouse.landing_file_literal(root, '/*/**') -%}
    {%- set any_file = run_query('select count(*) from glob(' ~ pattern ~ ')').columns[0].values()[0] > 0 -%}
    {% if any_file %}
    insert into {{ issues_relation }} (source_table, file_name, severity, reason, seen_at)
    select
        {{ insurance_warehouse.landing_sql_literal(identifier) }},
        folder || '/',
        'warn',
        'a folder that no source reads (' || count(*) || ' file(s)): not landed',
        current_timestamp
    from (
        select split_part(substr(file, {{ root | length + 2 }}), '/', 1) as folder
        from glob({{ pattern }})
    )
    where not list_contains({{ insurance_warehouse.landing_sql_list(known) }}, folder)
    group by folder;
    {% else %}
    select 1;
    {% endif %}
{% endmacro %}


{#- One file's lines and its record in _landed_files, in one transaction.

    The file streams from the reader into the landing table (no copy of the file is held):
    read_csv keeps the file's order (preserve_insertion_order, which the loader sets to
    true and checks: the profile turns it off for the models) and row_number() over () streams, so the k-th line read is numbered k.
    read_csv has no line number, and a line it rejects (not UTF-8, too long) is left out
    of its output, shifting the good lines after it: the rejected lines, with their own
    line numbers, go to the rejects table; once the file is read, the good lines after
    each rejected one move up by the number of rejected lines before them (nothing moves
    when no line was rejected, the usual case), and the rejected lines are inserted with
    their error. -#}
{% macro duckdb_record_landed_file(files_relation, identifier, path_literal, records) %}
    {#- The landing record of one loaded file (its inventory entry, `records` its record
        count as SQL), written in the same transaction as its lines or document. -#}
    insert into {{ files_relation }} (source_table, file_name, ingest_date, records, loaded_at, bytes, sha256, last_modified)
    select
        {{ insurance_warehouse.landing_sql_literal(identifier) }},
        inventory.file_name,
        inventory.ingest_date,
        {{ records }},
        current_timestamp,
        inventory.bytes,
        inventory.sha256,
        inventory.last_modified
    from __landing_inventory as inventory
    where inventory.file_path = {{ path_literal }};
{% endmacro %}


{% macro duckdb_load_raw_lines(relation, files_relation, identifier, path, root, header) %}
    {%- set path_literal = insurance_warehouse.landing_sql_literal(path) -%}
    {%- set file_name_literal = insurance_warehouse.landing_sql_literal(path[root | length + 1:]) -%}
    {%- set offset = 1 if header else 0 -%}
    drop table if exists __landing_rejects;
    drop table if exists __landing_scans;
    set preserve_insertion_order = true;
    select case
        when current_setting('preserve_insertion_order')::boolean then 1
        else error('landing numbers records in file order: preserve_insertion_order must stay true')
    end;

    begin transaction;
    insert into {{ relation }} (file_name, ingest_date, record_number, line, encoding_error, loaded_at)
    select
        {{ file_name_literal }} as file_name,
        {{ insurance_warehouse.duckdb_ingest_date(path_literal) }} as ingest_date,
        row_number() over () - {{ offset }} as record_number,
        line,
        null as encoding_error,
        current_timestamp as loaded_at
    from read_csv(
        {{ insurance_warehouse.landing_file_literal(path) }},
        columns = {'line': 'VARCHAR'},
        delim = chr(31),
        quote = '',
        escape = '',
        header = false,
        auto_detect = false,
        store_rejects = true,
        rejects_table = '__landing_rejects',
        rejects_scan = '__landing_scans'
    );

    {#- Rejected line i (in file order) at line r_i has g_i = r_i - i good lines before
        it; the good line read k-th is at line k + #{i : g_i < k}: the good lines read
        from g_i + 1 to g_(i+1) move up by i. -#}
    update {{ relation }} as landed
    set record_number = landed.record_number + shifts.shift
    from (
        select
            good_before + 1 as first_read,
            lead(good_before) over (order by line_number) as last_read,
            shift
        from (
            select
                rejects.line as line_number,
                rejects.line - row_number() over (order by rejects.line) as good_before,
                row_number() over (order by rejects.line) as shift
            from __landing_rejects as rejects
        )
    ) as shifts
    where landed.file_name = {{ file_name_literal }}
        and landed.record_number + {{ offset }} >= shifts.first_read
        and (shifts.last_read is null or landed.record_number + {{ offset }} <= shifts.last_read);

    insert into {{ relation }} (file_name, ingest_date, record_number, line, encoding_error, loaded_at)
    select
        {{ file_name_literal }} as file_name,
        {{ insurance_warehouse.duckdb_ingest_date(path_literal) }} as ingest_date,
        rejects.line - {{ offset }} as record_number,
        rejects.csv_line as line,
        case
            when rejects.error_type = 'LINE SIZE OVER MAXIMUM' then 'LINE TOO LONG'
            else rejects.error_type
        end as encoding_error,
        current_timestamp as loaded_at
    from __landing_rejects as rejects;

    {{ insurance_warehouse.duckdb_record_landed_file(files_relation, identifier, path_literal,
        '(select count(*) from ' ~ relation ~ ' where file_name = inventory.file_name and record_number >= 1)') }}
    commit;
{% endmacro %}


{% macro duckdb_load_document(relation, files_relation, identifier, path, root) %}
    {%- set path_literal = insurance_warehouse.landing_sql_literal(path) -%}
    begin transaction;
    insert into {{ relation }} (file_name, ingest_date, document, loaded_at)
    select
        {{ insurance_warehouse.duckdb_lake_file_columns('filename', root) }},
        case when json_valid(content) then content::json end as document,
        current_timestamp as loaded_at
    from read_text({{ insurance_warehouse.landing_file_literal(path) }});

    {{ insurance_warehouse.duckdb_record_landed_file(files_relation, identifier, path_literal, '1') }}
    commit;
{% endmacro %}
