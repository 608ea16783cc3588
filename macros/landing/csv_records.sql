{#-
    CSV records read by their file's header, for the base models of the CSV sources.

    `csv_records(landed, columns, text_suffix=[])` writes four CTEs after the caller's
    `landed` CTE (every line of the source, the header being record 0 on both engines):

      csv_header_lines  each file's header line, normalised;
      csv_headers  one row per file: where each contract column sits in its header, the
                   header's field count and, when the header cannot be used, why;
      csv_split    one row per record, its fields split (RFC 4180);
      csv_fields   one row per record (record_number >= 1) with each contract column's
                   text taken by the header's name, not by position, so a file whose header
                   lists the columns in another order gives the same values.

    A header is usable when it names every contract column once and nothing else (names
    compared without quotes, spaces or case). `structure_problem` says why a record cannot
    be read at all, and the caller makes it its first quarantine reason: the line could
    not be read at landing; 'header: no header row', 'header: missing column(s) a, b',
    'header: unknown or repeated column(s): <the header>' (every record of that file);
    'malformed: n fields, expected m' (the record's own field count against its header).
    Columns listed in `text_suffix` are named `<column>_text` (the caller types them).
-#}
{% macro csv_records(landed, columns, text_suffix=[]) -%}
csv_header_lines as (

    select
        file_name,
        ',' || lower(replace(replace(replace(line, '"', ''), ' ', ''), chr(13), '')) || ',' as header,
        {{ insurance_warehouse.csv_fields('line') }} as header_fields
    from {{ landed }}
    where record_number = 0

),

csv_headers as (

    select
        file_name,
        {{ insurance_warehouse.array_length('header_fields') }} as header_field_count,
        {%- for column in columns %}
        {{ insurance_warehouse.csv_header_position('header', column) }} as position_{{ loop.index }},
        {%- endfor %}
        nullif(
            {%- for column in columns %}
            case when {{ dbt.position("'," ~ column ~ ",'", 'header') }} = 0 then ', {{ column }}' else '' end
            {%- if not loop.last %} ||{% endif %}
            {%- endfor %},
            ''
        ) as missing_columns,
        header
    from csv_header_lines

),

csv_split as (

    select
        file_name,
        ingest_date,
        record_number,
        line,
        encoding_error,
        {{ insurance_warehouse.csv_fields('line') }} as fields
    from {{ landed }}
    where record_number >= 1

),

csv_fields as (

    select
        csv_split.file_name,
        csv_split.ingest_date,
        csv_split.record_number,
        csv_split.line,
        csv_split.encoding_error,
        case
            when csv_split.encoding_error is not null
                then {{ insurance_warehouse.landing_read_error_reason('csv_split.encoding_error') }}
            when csv_headers.file_name is null then 'header: no header row'
            when csv_headers.missing_columns is not null
                then 'header: missing column(s) ' || substr(csv_headers.missing_columns, 3)
            when csv_headers.header_field_count != {{ columns | length }}
                then 'header: unknown or repeated column(s): ' || substr(csv_headers.header, 2, length(csv_headers.header) - 2)
            when {{ insurance_warehouse.array_length('csv_split.fields') }} != csv_headers.header_field_count
                then 'malformed: ' || cast({{ insurance_warehouse.array_length('csv_split.fields') }} as varchar)
                    || ' fields, expected ' || cast(csv_headers.header_field_count as varchar)
        end as structure_problem,
        {%- for column in columns %}
        {{ insurance_warehouse.csv_field('csv_split.fields', 'csv_headers.position_' ~ loop.index) }}
            as {{ column }}{% if column in text_suffix %}_text{% endif %}{% if not loop.last %},{% endif %}
        {%- endfor %}
    from csv_split
    left join csv_headers on csv_split.file_name = csv_headers.file_name

)
{%- endmacro %}


{#- The 1-based position of `column` in a normalised header (',a,b,c,'): the number of
    commas before it; null when the header does not name it. -#}
{% macro csv_header_position(header, column) -%}
    {%- set at = dbt.position("'," ~ column ~ ",'", header) -%}
    case
        when {{ at }} > 0
            then length(substr({{ header }}, 1, {{ at }})) - length(replace(substr({{ header }}, 1, {{ at }}), ',', ''))
    end
{%- endmacro %}


{#- Why a line could not be read at landing (`encoding_error`, set by the loader on DuckDB
    and by the external table's expression on Snowflake). -#}
{% macro landing_read_error_reason(error) -%}
    case
        when {{ error }} = 'LINE TOO LONG'
            then 'line too long: beyond the reader''s limit; the beginning of its text is kept'
        else 'invalid encoding: bytes that are not UTF-8'
    end
{%- endmacro %}
