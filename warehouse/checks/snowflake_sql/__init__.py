"""Check, offline, that the SQL the dbt project compiles for Snowflake is Snowflake SQL.

    warehouse check snowflake-sql [--project-dir offline] [--target prod]
        [--packages-dir dbt_packages] [--statements statements.jsonl]

1. **Compile for the Snowflake target without Snowflake.** dbt runs in this process with
   the project's own profile and target (``prod`` by default) and dbt-snowflake as the
   adapter, but the adapter's connection is replaced by an offline stand-in
   (:class:`OfflineSnowflake`): no network, no credentials. Compilation still needs a few
   answers from the warehouse, and the stand-in gives them:

   * relation lookups (``show objects``, ``describe``) find nothing, as in an empty
     account, so ``is_incremental()`` is false and ``adapter.get_relation`` is None;
     incremental models are then compiled a second time with every relation of the
     project reported as existing, so their incremental branch is checked too;
   * plain queries run by macros at compile time (``run_query``, e.g. a date spine's
     bounds) are translated to DuckDB with sqlglot and answered by an in-memory DuckDB;
     a query on a table that does not exist gets an empty result. Those queries run on
     Snowflake in production, so they are checked like the compiled SQL.

2. **Check every piece of SQL** (models, tests, snapshots, analyses, compile-time
   queries, and the Snowflake expressions of external sources):

   * it parses with ``sqlglot.parse(sql, read="snowflake")``;
   * every function called, by the name written in the SQL, is in
     ``snowflake_functions.txt`` (sqlglot parses unknown and DuckDB-only functions
     without complaint, so parsing alone proves little), and DuckDB-only names get the
     Snowflake equivalent in the message;
   * every type in a cast is a Snowflake type (no ``json``, ``hugeint``, ``json[]``...).

   What `dbt build` sends besides the compiled SELECTs (contract probes, DDL, an
   incremental model's delete + insert, snapshot MERGEs, unit-test fixtures) is checked
   from the statement log of a build on the Snowflake emulator (``--statements``, see
   :mod:`warehouse.checks.sent_sql` and :mod:`warehouse.checks.emulator`), and the
   external-table DDL that dbt-external-tables renders (``--packages-dir``) is parsed
   and checked the same way, its ``file_name`` stripped of the stage's prefix.

3. **Engine differences live in dispatched macros**: no Jinja under the model, snapshot,
   analysis, test and seed paths, nor in dbt_project.yml, reads ``target.name`` or
   ``target.type``.

The report lists every problem by node and exits 1 when there is any.

The package, by job: :mod:`.rules` (what Snowflake SQL is), :mod:`.adapter` (the offline
stand-in for dbt-snowflake's connection), :mod:`.compile` (dbt compiles the project through
it), :mod:`.report` (the whole check and its report) and :mod:`.cli` (the command line).
"""

from warehouse.checks.snowflake_sql.adapter import (
    OfflineCursor,
    OfflineHandle,
    OfflineQuery,
    OfflineSnowflake,
)
from warehouse.checks.snowflake_sql.cli import main
from warehouse.checks.snowflake_sql.compile import (
    DEFAULT_TARGET,
    EXTERNAL_SOURCES,
    OFFLINE_ENV,
    OFFLINE_PROJECT,
    REPO_ROOT,
    CompiledSql,
    CompileResult,
    compile_project,
    invoke_dbt,
    offline_environment,
    stage_external_sources,
)
from warehouse.checks.snowflake_sql.report import Report, check_compiled, run_check
from warehouse.checks.snowflake_sql.rules import (
    DUCKDB_ONLY,
    FUNCTIONS_FILE,
    SNOWFLAKE_TYPES,
    check_file_name_expressions,
    check_sql,
    check_target_branches,
    find_target_branches,
    function_calls,
    load_allowed_functions,
    stage_prefix,
)

# the names warehouse/runner/tests/test_access.py compiles with
_environment = offline_environment
_invoke = invoke_dbt

__all__ = [
    "DEFAULT_TARGET",
    "DUCKDB_ONLY",
    "EXTERNAL_SOURCES",
    "FUNCTIONS_FILE",
    "OFFLINE_ENV",
    "OFFLINE_PROJECT",
    "REPO_ROOT",
    "SNOWFLAKE_TYPES",
    "CompileResult",
    "CompiledSql",
    "OfflineCursor",
    "OfflineHandle",
    "OfflineQuery",
    "OfflineSnowflake",
    "Report",
    "check_compiled",
    "check_file_name_expressions",
    "check_sql",
    "check_target_branches",
    "compile_project",
    "find_target_branches",
    "function_calls",
    "invoke_dbt",
    "load_allowed_functions",
    "main",
    "offline_environment",
    "run_check",
    "stage_external_sources",
    "stage_prefix",
]
