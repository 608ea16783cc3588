{#-
    Parsing raw landing text, one macro per engine difference (adapter.dispatch).
    Every parser returns null for text it cannot read, never an error: the caller turns a
    null where a value was present into a quarantine reason.
-#}

{# A JSON document from text; null when the text is not a JSON object. #}
{% macro parse_json_object(text) -%}
    {{ return(adapter.dispatch('parse_json_object', 'insurance_warehouse')(text)) }}
{%- endmacro %}

{% macro default__parse_json_object(text) -%}
    case when json_valid({{ text }}) and json_type({{ text }}) = 'OBJECT' then {{ text }}::json end
{%- endmacro %}

{% macro snowflake__parse_json_object(text) -%}
    iff(is_object(try_parse_json({{ text }})), try_parse_json({{ text }}), null)
{%- endmacro %}


{# The text of a member of a parsed JSON object, by a list of keys (nested objects). #}
{% macro json_text(document, keys) -%}
    {{ return(adapter.dispatch('json_text', 'insurance_warehouse')(document, keys)) }}
{%- endmacro %}

{% macro default__json_text(document, keys) -%}
    json_extract_string({{ document }}, '$.{{ keys | join(".") }}')
{%- endmacro %}

{% macro snowflake__json_text(document, keys) -%}
    {{ document }}:{% for k in keys %}"{{ k }}"{% if not loop.last %}.{% endif %}{% endfor %}::varchar
{%- endmacro %}


{# A parsed JSON member kept as JSON (an array or an object), for later unnesting. #}
{% macro json_member(document, keys) -%}
    {{ return(adapter.dispatch('json_member', 'insurance_warehouse')(document, keys)) }}
{%- endmacro %}

{% macro default__json_member(document, keys) -%}
    json_extract({{ document }}, '$.{{ keys | join(".") }}')
{%- endmacro %}

{% macro snowflake__json_member(document, keys) -%}
    {{ document }}:{% for k in keys %}"{{ k }}"{% if not loop.last %}.{% endif %}{% endfor %}
{%- endmacro %}


{# The keys of a parsed JSON object, as an array (to surface fields outside the contract). #}
{% macro json_keys(document) -%}
    {{ return(adapter.dispatch('json_keys', 'insurance_warehouse')(document)) }}
{%- endmacro %}

{% macro default__json_keys(document) -%}
    json_keys({{ document }})
{%- endmacro %}

{% macro snowflake__json_keys(document) -%}
    object_keys({{ document }})
{%- endmacro %}


{# The fields of an RFC 4180 CSV line, as an array of still-quoted texts. #}
{% macro csv_fields(line) -%}
    {{ return(adapter.dispatch('csv_fields', 'insurance_warehouse')(line)) }}
{%- endmacro %}

{% macro default__csv_fields(line) -%}
    regexp_extract_all(',' || {{ line }}, ',("(?:[^"]|"")*"|[^,]*)', 1)
{%- endmacro %}

{% macro snowflake__csv_fields(line) -%}
    regexp_substr_all(',' || {{ line }}, ',("([^"]|"")*"|[^,]*)', 1, 1, 'e', 1)
{%- endmacro %}


{# The number of elements of an array. #}
{% macro array_length(array) -%}
    {{ return(adapter.dispatch('array_length', 'insurance_warehouse')(array)) }}
{%- endmacro %}

{% macro default__array_length(array) -%}
    len({{ array }})
{%- endmacro %}

{% macro snowflake__array_length(array) -%}
    array_size({{ array }})
{%- endmacro %}


{# The n-th field (1-based; a number or an SQL expression) of csv_fields(), unquoted;
   empty text, and a position that is null or past the end, become null. #}
{% macro csv_field(fields, n) -%}
    {%- set raw = adapter.dispatch('array_element', 'insurance_warehouse')(fields, n) -%}
    nullif(
        case
            when left({{ raw }}, 1) = '"'
                then replace(substr({{ raw }}, 2, length({{ raw }}) - 2), '""', '"')
            else {{ raw }}
        end,
        ''
    )
{%- endmacro %}

{% macro default__array_element(array, n) -%}
    {{ array }}[{{ n }}]
{%- endmacro %}

{% macro snowflake__array_element(array, n) -%}
    {%- if n is number -%}
        {{ array }}[{{ n - 1 }}]::varchar
    {%- else -%}
        get({{ array }}, {{ n }} - 1)::varchar
    {%- endif -%}
{%- endmacro %}


{# Strict readers of contract formats: null unless the text has exactly that form. #}
{% macro read_date(text) -%}
    {{ return(adapter.dispatch('read_date', 'insurance_warehouse')(text)) }}
{%- endmacro %}

{% macro default__read_date(text) -%}
    case
        when regexp_full_match({{ text }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
            and try_cast({{ text }} as date) between {{ insurance_warehouse.plausible_dates() }}
            then try_cast({{ text }} as date)
    end
{%- endmacro %}

{% macro snowflake__read_date(text) -%}
    iff(
        regexp_like({{ text }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
        and try_to_date({{ text }}, 'YYYY-MM-DD') between {{ insurance_warehouse.plausible_dates() }},
        try_to_date({{ text }}, 'YYYY-MM-DD'),
        null
    )
{%- endmacro %}


{#- The contract's plausible dates: a date outside them (9999-12-31 for "no end", 0001-01-01)
    is not a date of this business and is quarantined like an unparsable one. -#}
{% macro plausible_dates() -%}
    cast('1900-01-01' as date) and cast('2100-12-31' as date)
{%- endmacro %}


{% macro read_timestamp(text) -%}
    {{ return(adapter.dispatch('read_timestamp', 'insurance_warehouse')(text)) }}
{%- endmacro %}

{% macro default__read_timestamp(text) -%}
    case
        when regexp_full_match({{ text }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z')
            then try_cast(try_strptime({{ text }}, '%Y-%m-%dT%H:%M:%SZ') as timestamp)
    end
{%- endmacro %}

{% macro snowflake__read_timestamp(text) -%}
    iff(
        regexp_like({{ text }}, '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z'),
        try_to_timestamp_ntz({{ text }}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
        null
    )
{%- endmacro %}


{% macro read_decimal(text, precision=18, scale=2) -%}
    {{ return(adapter.dispatch('read_decimal', 'insurance_warehouse')(text, precision, scale)) }}
{%- endmacro %}

{#- A plain decimal with at most `precision - scale` integer digits and `scale` decimals:
    a value with more decimals than its field allows is refused (null), never rounded. -#}
{% macro default__read_decimal(text, precision, scale) -%}
    case
        when regexp_full_match({{ text }}, '-?[0-9]{1,{{ precision - scale }}}(\.[0-9]{1,{{ scale }}})?')
            then try_cast({{ text }} as decimal({{ precision }}, {{ scale }}))
    end
{%- endmacro %}

{% macro snowflake__read_decimal(text, precision, scale) -%}
    iff(
        regexp_like({{ text }}, '-?[0-9]{1,{{ precision - scale }}}(\\.[0-9]{1,{{ scale }}})?'),
        try_to_decimal({{ text }}, {{ precision }}, {{ scale }}),
        null
    )
{%- endmacro %}


{% macro read_integer(text) -%}
    {{ return(adapter.dispatch('read_integer', 'insurance_warehouse')(text)) }}
{%- endmacro %}

{% macro default__read_integer(text) -%}
    case when regexp_full_match({{ text }}, '-?[0-9]+') then try_cast({{ text }} as bigint) end
{%- endmacro %}

{% macro snowflake__read_integer(text) -%}
    iff(regexp_like({{ text }}, '-?[0-9]+'), try_to_number({{ text }}), null)
{%- endmacro %}


{# 'true' / 'false' only (the contract's booleans); anything else is null. #}
{% macro read_boolean(text) -%}
    case lower({{ text }}) when 'true' then true when 'false' then false end
{%- endmacro %}




{# Top-level keys of a JSON object outside `known`, comma-separated (schema drift). #}
{% macro json_unexpected_keys(document, known) -%}
    {{ return(adapter.dispatch('json_unexpected_keys', 'insurance_warehouse')(document, known)) }}
{%- endmacro %}

{% macro default__json_unexpected_keys(document, known) -%}
    nullif(array_to_string(list_sort(list_filter(json_keys({{ document }}), k -> k not in ('{{ known | join("', '") }}'))), ','), '')
{%- endmacro %}

{% macro snowflake__json_unexpected_keys(document, known) -%}
    nullif(array_to_string(array_sort(array_except(object_keys({{ document }}), array_construct('{{ known | join("', '") }}'))), ','), '')
{%- endmacro %}


{#- A join that turns each element of a JSON array into a row: `{{ alias }}.value` is the
    element (JSON), usable with json_text(alias ~ '.value', [...]). Rows whose array is
    empty or missing produce no row. -#}
{% macro unnest_json_array(array_expression, alias) -%}
    {{ return(adapter.dispatch('unnest_json_array', 'insurance_warehouse')(array_expression, alias)) }}
{%- endmacro %}

{% macro default__unnest_json_array(array_expression, alias) -%}
    cross join unnest(cast({{ array_expression }} as json[])) as {{ alias }}(value)
{%- endmacro %}

{% macro snowflake__unnest_json_array(array_expression, alias) -%}
    cross join lateral flatten(input => {{ array_expression }}) as {{ alias }}
{%- endmacro %}


{# A JSON element that is a plain string (e.g. an id in an array of ids), as text. #}
{% macro json_scalar_text(element) -%}
    {{ return(adapter.dispatch('json_scalar_text', 'insurance_warehouse')(element)) }}
{%- endmacro %}

{% macro default__json_scalar_text(element) -%}
    json_extract_string({{ element }}, '$')
{%- endmacro %}

{% macro snowflake__json_scalar_text(element) -%}
    {{ element }}::varchar
{%- endmacro %}


{#- The text of a JSON number, exactly as written in the record (`line`), for a member
    given by `keys`. DuckDB's JSON functions read numbers as doubles (9007199254740993.01
    comes back as 9007199254740994.0), so on DuckDB the number is taken from the raw text
    when its key occurs once in the line; anything else (a string, an ambiguous key) falls
    back to the member's text, which the strict readers then judge. Snowflake keeps JSON
    numbers as exact decimals (up to 38 digits): the member's text is exact there. -#}
{% macro json_number_text(document, line, keys) -%}
    {{ return(adapter.dispatch('json_number_text', 'insurance_warehouse')(document, line, keys)) }}
{%- endmacro %}

{% macro default__json_number_text(document, line, keys) -%}
    {%- set key = '"' ~ keys[-1] ~ '"' -%}
    coalesce(
        case
            when length({{ line }}) - length(replace({{ line }}, '{{ key }}', '')) = {{ key | length }}
                then nullif(regexp_extract({{ line }}, '{{ key }}\s*:\s*(-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?)\s*[,}\]]', 1), '')
        end,
        {{ insurance_warehouse.json_text(document, keys) }}
    )
{%- endmacro %}

{% macro snowflake__json_number_text(document, line, keys) -%}
    {{ insurance_warehouse.json_text(document, keys) }}
{%- endmacro %}


{#- The first key that occurs twice in the object (top level) or in one of its `nested`
    objects, as 'key' or 'parent.key'; null when none. Snowflake's PARSE_JSON refuses a
    document with a duplicate key, so such a line is already malformed there. -#}
{% macro json_duplicate_key(document, nested=[]) -%}
    {{ return(adapter.dispatch('json_duplicate_key', 'insurance_warehouse')(document, nested)) }}
{%- endmacro %}

{% macro default__json_duplicate_key(document, nested) -%}
    coalesce(
        case
            when len(json_keys({{ document }})) != len(list_distinct(json_keys({{ document }})))
                then list_filter(json_keys({{ document }}), k -> len(list_filter(json_keys({{ document }}), j -> j = k)) > 1)[1]
        end
        {%- for parent in nested %},
        case
            when json_type({{ document }}, '$.{{ parent }}') = 'OBJECT'
                and len(json_keys({{ document }}, '$.{{ parent }}'))
                    != len(list_distinct(json_keys({{ document }}, '$.{{ parent }}')))
                then '{{ parent }}.' || list_filter(
                    json_keys({{ document }}, '$.{{ parent }}'),
                    k -> len(list_filter(json_keys({{ document }}, '$.{{ parent }}'), j -> j = k)) > 1
                )[1]
        end
        {%- endfor %}
    )
{%- endmacro %}

{% macro snowflake__json_duplicate_key(document, nested) -%}
    cast(null as varchar)
{%- endmacro %}


{#- Whether a text matches a pattern as a whole (null text: null). -#}
{% macro text_matches(text, pattern) -%}
    {{ return(adapter.dispatch('text_matches', 'insurance_warehouse')(text, pattern)) }}
{%- endmacro %}

{% macro default__text_matches(text, pattern) -%}
    regexp_full_match({{ text }}, '{{ pattern }}')
{%- endmacro %}

{% macro snowflake__text_matches(text, pattern) -%}
    regexp_like({{ text }}, '{{ pattern | replace("\\", "\\\\") }}')
{%- endmacro %}


{#- The contract's form of each natural key and reference. -#}
{% macro contract_key_pattern(column) -%}
    {%- set patterns = {
        'insured_id': 'INS-[0-9]{7}',
        'policy_id': 'POL-[0-9]{8}',
        'claim_id': 'CLM-[0-9]{9}',
        'treaty_id': 'TRT-[0-9]{4}',
        'line_code': '[A-Z]{3}-[A-Z0-9]+',
    } -%}
    {{ return(patterns[column]) }}
{%- endmacro %}


{#- Why the first of `columns` (natural keys and references) that cannot be used cannot:
    missing, or not of the contract's form (a blank, a number where an id belongs, a typo);
    null when all are fine. -#}
{% macro key_problem(columns) -%}
    coalesce(
        {%- for column in columns %}
        case
            when {{ column }} is null then 'missing {{ column }}'
            when not {{ insurance_warehouse.text_matches(column, insurance_warehouse.contract_key_pattern(column)) }}
                then 'invalid {{ column }}: ' || {{ column }}
        end{% if not loop.last %},{% endif %}
        {%- endfor %}
    )
{%- endmacro %}


{#- The smaller and the larger of two values, null when either is null, on every engine:
    DuckDB's least()/greatest() skip nulls, Snowflake's return null, and a treaty with a
    missing retention or limit must not cede on one engine and not on the other. -#}
{% macro least_of(a, b) -%}
    case when {{ a }} is null or {{ b }} is null then null when {{ a }} <= {{ b }} then {{ a }} else {{ b }} end
{%- endmacro %}

{% macro greatest_of(a, b) -%}
    case when {{ a }} is null or {{ b }} is null then null when {{ a }} >= {{ b }} then {{ a }} else {{ b }} end
{%- endmacro %}


{#- A version's surrogate key: a hash of its entity's natural key and its updated_at, the
    timestamp written in one explicit format (a plain cast to text would follow the
    session's output format, which differs between engines and Snowflake sessions). -#}
{% macro version_key(key_column, timestamp_column='updated_at') -%}
    {{ dbt.hash(dbt.concat([key_column, "'|'", insurance_warehouse.timestamp_text(timestamp_column)])) }}
{%- endmacro %}

{% macro timestamp_text(column) -%}
    {{ return(adapter.dispatch('timestamp_text', 'insurance_warehouse')(column)) }}
{%- endmacro %}

{% macro default__timestamp_text(column) -%}
    strftime({{ column }}, '%Y-%m-%dT%H:%M:%S')
{%- endmacro %}

{% macro snowflake__timestamp_text(column) -%}
    to_char({{ column }}, 'YYYY-MM-DD"T"HH24:MI:SS')
{%- endmacro %}
