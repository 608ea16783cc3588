-- The first hour with a Snowflake account: what the offline checks cannot settle.
-- Run it step by step (a worksheet, or `snow sql -f`) as the TRANSFORMER role, after
-- terraform/admin/account_setup.sql, `terraform apply` and a first `lakegen upload`.
-- docs/snowflake-first-hour.md says what each step should return and what to do if not.

use role TRANSFORMER;
use warehouse INSURANCE_WH;
use database INSURANCE;
use schema LANDING;

-- 1. The stage lists the lake, and METADATA$FILENAME starts with the stage's prefix
--    (expected: raw/claims/ingest_date=YYYY-MM-DD/claims_....jsonl). The sources strip
--    var('snowflake_stage_prefix'); if the prefix differs, set that var to it.
list @LAKE_STAGE pattern = '.*_manifests/.*';
select metadata$filename, metadata$file_row_number
from @LAKE_STAGE/claims/ (file_format => 'RAW_LINES')
limit 3;

-- 2. regexp_substr_all keeps empty CSV fields (expected: ["a", "", "\"b,c\"", ""]: four
--    fields, the second and the fourth empty). If empty fields are dropped, every CSV
--    record with an empty field is quarantined as malformed: stop and fix csv_fields.
select regexp_substr_all(',' || 'a,,"b,c",', ',("([^"]|"")*"|[^,]*)', 1, 1, 'e', 1) as fields;

-- 3. A line with bytes that are not UTF-8 is read, not dropped, through RAW_LINES
--    (expected: one row whose text holds U+FFFD). Upload a file with such a line first:
--      printf 'ok\nbad \xff byte\n' > /tmp/bad.csv   (then PUT or aws s3 cp under raw/_probe/)
select $1 as line, contains($1, '\uFFFD') as replaced
from @LAKE_STAGE/_probe/ (file_format => 'RAW_LINES');

-- 4. The external tables exist, refresh on demand (auto_refresh false: no notification
--    channel is needed) and list the files (expected: six tables; after
--    `dbt run-operation stage_external_sources`, every uploaded file in each).
show external tables in schema LANDING;
select file_name, count(*) from LANDING.claims group by file_name order by file_name;

-- 5. Snowflake's own semantics the models guard against (expected: null, null, and the
--    same text twice): greatest/least return null when an argument is null; the version
--    keys format timestamps explicitly.
select greatest(1, null), least(1, null),
       to_char('2026-03-02 10:15:00'::timestamp_ntz, 'YYYY-MM-DD"T"HH24:MI:SS'),
       '2026-03-02T10:15:00';

-- 6. Then, from the repository: dbt build --fail-fast (DBT_TARGET=prod).
