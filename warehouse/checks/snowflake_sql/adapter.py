"""The stand-in for dbt-snowflake's connection: compile for Snowflake with no account.

While :meth:`OfflineSnowflake.active`, dbt-snowflake's connections open an
:class:`OfflineHandle` instead of a network connection:

* relation lookups (``show objects``, ``describe``) find nothing, as in an empty account
  (or the relations given, to compile an incremental model's incremental branch);
* plain queries run by macros at compile time (``run_query``) are translated to DuckDB with
  sqlglot and answered by an in-memory DuckDB; a query on a table that does not exist gets
  an empty result. Each is recorded (:class:`OfflineQuery`), to be checked like compiled SQL.
"""

from __future__ import annotations

import contextlib
import itertools
import re
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot.errors import ParseError, TokenError

# --- the offline Snowflake connection ----------------------------------------------------------

_COMMENTS = re.compile(r"/\*.*?\*/|--[^\n]*", re.S)
_SHOW_OBJECTS = re.compile(r"^show\s+(?:terse\s+)?objects\s+in\s+(?:schema\s+)?(\S+)", re.I)
_STARTS_WITH = re.compile(r"\bstarts\s+with\s+'([^']*)'", re.I)
_NO_RESULT = re.compile(r"^(alter\s+session|use\s|begin|commit|rollback|start\s+transaction)", re.I)
_DUCKDB_TYPE_CODES = {
    "BOOLEAN": 13,
    "DATE": 3,
    "TIME": 12,
    "TIMESTAMP": 8,
    "TIMESTAMP WITH TIME ZONE": 7,
    "DOUBLE": 1,
    "FLOAT": 1,
    "VARCHAR": 2,
    "BLOB": 11,
}
OBJECT_COLUMNS = (
    "created_on",
    "name",
    "database_name",
    "schema_name",
    "kind",
    "comment",
    "cluster_by",
    "rows",
    "bytes",
    "owner",
    "retention_time",
    "owner_role_type",
    "is_dynamic",
    "is_iceberg",
)


def _ident(part: str) -> str:
    part = part.strip()
    return part[1:-1] if part.startswith('"') and part.endswith('"') else part.upper()


@dataclass
class OfflineQuery:
    """A query dbt sent to the warehouse while compiling, and how it was answered."""

    node: str
    sql: str
    answer: str


class OfflineCursor:
    """Just enough of a snowflake.connector cursor for dbt-snowflake."""

    _ids = itertools.count(1)

    def __init__(self, owner: OfflineSnowflake, handle: OfflineHandle) -> None:
        self._owner = owner
        self._handle = handle
        self.description: list[tuple[Any, ...]] | None = None
        self._rows: list[tuple[Any, ...]] = []
        self.rowcount = 0
        self.sqlstate = None
        self.sfqid: str | None = None
        self.stats = None

    def _result(
        self,
        columns: Sequence[str],
        rows: Sequence[Sequence[Any]],
        codes: Sequence[int] | None = None,
    ) -> None:
        codes = codes or [2] * len(columns)
        self.description = [
            (name, code, None, None, None, None, True)
            for name, code in zip(columns, codes, strict=True)
        ]
        self._rows = [tuple(r) for r in rows]
        self.rowcount = len(self._rows)

    def execute(self, sql: str, bindings: Any = None) -> OfflineCursor:
        import snowflake.connector.errors as sf_errors

        self.sfqid = f"offline-{next(self._ids)}"
        text = _COMMENTS.sub(" ", sql).strip().rstrip(";").strip()
        node = self._handle.node()
        if match := _SHOW_OBJECTS.match(text):
            parts = [_ident(p) for p in match.group(1).rstrip(";").split(".")]
            key = (parts[-2], parts[-1]) if len(parts) >= 2 else ("", parts[0])
            objects = self._owner.relations.get(key)
            if objects is None:
                self._owner.record(node, sql, "schema does not exist")
                raise sf_errors.ProgrammingError(
                    msg=f"Schema '{'.'.join(key)}' does not exist or not authorized.",
                    errno=2043,
                    sqlstate="02000",
                )
            prefix = _STARTS_WITH.search(text)
            rows = [
                (None, name, key[0], key[1], kind, "", "", 0, 0, "", "1", "ROLE", "N", "N")
                for name, kind in sorted(objects.items())
                if prefix is None or name.startswith(prefix.group(1))
            ]
            self._owner.record(node, sql, f"{len(rows)} relation(s)")
            self._result(OBJECT_COLUMNS, rows)
        elif text.lower().startswith("show"):
            self._owner.record(node, sql, "empty result")
            self._result(("created_on", "name", "kind", "database_name", "schema_name"), [])
        elif text.lower().startswith(("describe", "desc ")):
            self._owner.record(node, sql, "object does not exist")
            raise sf_errors.ProgrammingError(
                msg="Object does not exist or not authorized.", errno=2003, sqlstate="02000"
            )
        elif _NO_RESULT.match(text) or not text:
            self._result(("status",), [("Statement executed successfully.",)])
        elif text.lower().startswith(("select", "with", "(")):
            self._owner.record(node, sql, "answered by DuckDB", check=True)
            self._select(text, sf_errors)
        else:
            # DDL or DML at compile time: accepted without effect, listed in the report.
            self._owner.record(node, sql, "statement accepted without effect", check=True)
            self._result(("status",), [("Statement executed successfully.",)])
        return self

    def _select(self, text: str, sf_errors: Any) -> None:
        import duckdb

        try:
            duck_sql = sqlglot.transpile(text, read="snowflake", write="duckdb")[0]
        except (ParseError, TokenError) as error:
            raise sf_errors.ProgrammingError(msg=f"SQL compilation error: {error}") from None
        try:
            relation = self._handle.duck.execute(duck_sql)
            columns = [d[0] for d in relation.description]
            codes = [_DUCKDB_TYPE_CODES.get(str(d[1]).upper(), 0) for d in relation.description]
            self._result(columns, relation.fetchall(), codes)
        except duckdb.CatalogException:
            # The query reads a table of the project, which does not exist offline: an
            # empty result, as from a freshly built, empty warehouse.
            tree = sqlglot.parse_one(text, read="snowflake")
            columns = list(getattr(tree, "named_selects", [])) or ["value"]
            self._result(columns, [])
        except duckdb.Error as error:
            raise sf_errors.ProgrammingError(msg=f"SQL compilation error: {error}") from None

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        size = size or len(self._rows)
        rows, self._rows = self._rows[:size], self._rows[size:]
        return rows

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def close(self) -> None:
        pass


class OfflineHandle:
    """Stands for a snowflake.connector connection; one in-memory DuckDB per handle."""

    def __init__(self, owner: OfflineSnowflake, connection: Any) -> None:
        import duckdb

        self._owner = owner
        self._connection = connection
        self.duck = duckdb.connect(":memory:")
        self.session_id = 0

    def node(self) -> str:
        return str(getattr(self._connection, "name", "") or "")

    def cursor(self) -> OfflineCursor:
        return OfflineCursor(self._owner, self)

    def execute_string(self, sql: str, **_: Any) -> list[OfflineCursor]:
        return [self.cursor().execute(sql)]

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        self.duck.close()

    def is_closed(self) -> bool:
        return False


class OfflineSnowflake:
    """Replaces dbt-snowflake's connection with :class:`OfflineHandle` while active.

    ``relations`` maps ``(DATABASE, SCHEMA)`` to ``{IDENTIFIER: kind}``: the relations
    ``show objects`` reports. A schema not in it does not exist.
    """

    def __init__(self, relations: Mapping[tuple[str, str], Mapping[str, str]] | None = None):
        self.relations = {k: dict(v) for k, v in (relations or {}).items()}
        self.queries: list[OfflineQuery] = []
        self._lock = threading.Lock()

    def record(self, node: str, sql: str, answer: str, check: bool = False) -> None:
        if check:
            with self._lock:
                self.queries.append(OfflineQuery(node, sql, answer))

    @contextlib.contextmanager
    def active(self) -> Iterator[OfflineSnowflake]:
        from dbt.adapters.snowflake.connections import SnowflakeConnectionManager

        owner = self
        original = SnowflakeConnectionManager.__dict__["open"]

        def open_offline(cls: type, connection: Any) -> Any:
            if connection.state == "open":
                return connection
            connection.handle = OfflineHandle(owner, connection)
            connection.state = "open"
            return connection

        # dbt's class is patched for the block's duration (setattr: mypy sees a method)
        setattr(SnowflakeConnectionManager, "open", classmethod(open_offline))  # noqa: B010
        try:
            yield self
        finally:
            setattr(SnowflakeConnectionManager, "open", original)  # noqa: B010
