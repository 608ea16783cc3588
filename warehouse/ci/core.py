"""What every command shares: settings, dbt as a subprocess, manifests, the warehouse connection.

dbt runs as a subprocess (:func:`warehouse.dbt.run_subprocess`: a fresh process per command,
its own log file) with the project's own profile; the engine is the target's adapter type in
that profile (``dev`` is DuckDB, ``DUCKDB_PATH``; ``prod`` is Snowflake). An environment is
the same project built under another target schema: ``DUCKDB_SCHEMA`` (DuckDB, production
``main``) or ``SNOWFLAKE_SCHEMA`` (Snowflake, production ``ANALYTICS``); dbt's schema naming
then puts every model in ``<target schema>_<custom schema>``, e.g. ``ci_pr_42_marts`` beside
production's ``main_marts``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot

from warehouse.dbt import adapter_type, flags, run_subprocess, variables
from warehouse.errors import ConfigurationError, MissingInputError

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILDABLE = ("model", "seed", "snapshot")
FAILED_STATUSES = ("error", "fail", "runtime error", "skipped")
META_SCHEMA = "warehouse_ci"
# what a connection to Snowflake cannot do without (the others have defaults)
SNOWFLAKE_REQUIRED = ("SNOWFLAKE_ACCOUNT", "SNOWFLAKE_PRIVATE_KEY_PATH")


def slug(text: str) -> str:
    """A schema-safe name: lower case, [a-z0-9_], at most 40 characters."""
    out = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return (out or "env")[:40]


def current_branch(project_dir: Path) -> str:
    for var in ("GITHUB_HEAD_REF", "GITHUB_REF_NAME"):
        if os.environ.get(var):
            return os.environ[var]
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--abbrev-ref", "HEAD"],
            cwd=project_dir,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip() or "local"
    except (OSError, subprocess.CalledProcessError):
        return "local"


def default_project_dir() -> Path:
    """The root (full mode) when its hub packages are installed, else the offline project."""
    from warehouse.runner.modes import OFFLINE, default_packages_dir, hub_packages_present

    return REPO_ROOT if hub_packages_present(default_packages_dir()) else OFFLINE


def profiles_dir(project_dir: Path) -> Path:
    """The folder holding profiles.yml: the project's own, else the nearest parent's."""
    for folder in (project_dir, *project_dir.parents):
        if (folder / "profiles.yml").is_file():
            return folder
    return project_dir


@dataclass
class Settings:
    """Where the project, the warehouse and the CI state are, and which environment."""

    project_dir: Path = REPO_ROOT / "offline"
    target: str = "dev"  # the dbt target: dev = DuckDB, prod = Snowflake
    database: Path = REPO_ROOT / "warehouse.duckdb"
    workdir: Path = REPO_ROOT / "target" / "ci"
    env: str = "local"
    quiet: bool = False

    @property
    def profiles_dir(self) -> Path:
        """Where profiles.yml is: ``DBT_PROFILES_DIR``, else the project's or a parent's."""
        configured = os.environ.get("DBT_PROFILES_DIR")
        return Path(configured) if configured else profiles_dir(self.project_dir)

    @property
    def engine(self) -> str:
        """The target's adapter type in the profile (duckdb, snowflake)."""
        return _engine(self.project_dir, self.profiles_dir, self.target)

    @property
    def schema_variable(self) -> str:
        return "SNOWFLAKE_SCHEMA" if self.engine == "snowflake" else "DUCKDB_SCHEMA"

    @property
    def production_schema(self) -> str:
        default = "ANALYTICS" if self.engine == "snowflake" else "main"
        return os.environ.get(self.schema_variable, default)

    @property
    def env_schema(self) -> str:
        name = f"ci_{slug(self.env)}"
        return name.upper() if self.engine == "snowflake" else name

    @property
    def env_dir(self) -> Path:
        return self.workdir / slug(self.env)

    def say(self, message: str) -> None:
        if not self.quiet:
            print(message, flush=True)


# -- dbt ---------------------------------------------------------------------------------------


@dataclass
class DbtCall:
    args: list[str]
    returncode: int
    seconds: float
    target_path: Path
    log: Path

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def run_results(self, name: str | None = None) -> dict[str, Any]:
        path = self.target_path / f"run_results{'.' + name if name else ''}.json"
        return json.loads(path.read_text()) if path.exists() else {"results": []}

    def tail(self, lines: int = 25) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


@functools.lru_cache(maxsize=16)
def _engine(project_dir: Path, profiles: Path, target: str) -> str:
    return adapter_type(project_dir, profiles, target)


def dbt(
    settings: Settings,
    args: Sequence[str],
    *,
    target_path: Path,
    schema: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> DbtCall:
    """Run one dbt command; its output goes to ``<target_path>/dbt.<command>.log``."""
    target_path.mkdir(parents=True, exist_ok=True)
    extra = {settings.schema_variable: schema} if schema is not None else {}
    env = variables(
        profiles_dir=settings.profiles_dir,
        target=settings.target,
        database=settings.database,
        extra={**extra, **(extra_env or {})},
    )
    log = target_path / f"dbt.{args[0]}.log"
    where = flags(settings.project_dir, target_path=target_path, log_path=target_path / "logs")
    proc, seconds = run_subprocess([*args, *where], env, log=log)
    return DbtCall(list(args), proc.returncode, seconds, target_path, log)


# -- manifests ---------------------------------------------------------------------------------


@dataclass
class Manifest:
    data: dict[str, Any]

    @classmethod
    def load(cls, path: Path) -> Manifest:
        if path.is_dir():
            path = path / "manifest.json"
        if not path.exists():
            raise MissingInputError(f"no dbt manifest at {path}")
        return cls(json.loads(path.read_text()))

    @property
    def nodes(self) -> dict[str, dict[str, Any]]:
        nodes: dict[str, dict[str, Any]] = self.data.get("nodes", {})
        return nodes

    def buildable(self) -> dict[str, dict[str, Any]]:
        return {k: v for k, v in self.nodes.items() if v.get("resource_type") in BUILDABLE}

    def children(self, unique_id: str) -> list[str]:
        children: list[str] = self.data.get("child_map", {}).get(unique_id, [])
        return children

    def parents(self, unique_id: str) -> list[str]:
        parents: list[str] = self.data.get("parent_map", {}).get(unique_id, [])
        return parents

    def descendants(self, roots: Iterable[str]) -> set[str]:
        """Every buildable node downstream of ``roots`` (not the roots themselves)."""
        seen: set[str] = set()
        stack = list(roots)
        while stack:
            for child in self.children(stack.pop()):
                if child in seen or child.split(".")[0] not in BUILDABLE:
                    continue
                seen.add(child)
                stack.append(child)
        return seen


def grain(node: dict[str, Any]) -> list[str]:
    meta = (node.get("config") or {}).get("meta") or node.get("meta") or {}
    return list(meta.get("grain") or [])


def contract_enforced(node: dict[str, Any]) -> bool:
    return bool(((node.get("config") or {}).get("contract") or {}).get("enforced"))


def selector(node: dict[str, Any]) -> str:
    """How ``dbt --select`` names one node exactly."""
    name: str = node["name"]
    if node.get("version") is not None:
        return f"{name}.v{node['version']}"
    return name


def display_name(unique_id: str) -> str:
    parts = unique_id.split(".")
    return ".".join(parts[2:])


# -- the warehouse ----------------------------------------------------------------------------


@dataclass
class Relation:
    database: str
    schema: str
    name: str

    @classmethod
    def of(cls, node: dict[str, Any]) -> Relation:
        return cls(node.get("database") or "", node["schema"], node.get("alias") or node["name"])

    def sql(self) -> str:
        return f'"{self.schema}"."{self.name}"'

    def __str__(self) -> str:
        return f"{self.schema}.{self.name}"


@dataclass
class Warehouse:
    """A connection to DuckDB (the file) or Snowflake (the profile's environment variables).

    SQL is written once in DuckDB's dialect and transpiled with sqlglot for Snowflake.
    """

    settings: Settings
    _con: Any = field(default=None, repr=False)

    @property
    def dialect(self) -> str:
        return self.settings.engine

    def __enter__(self) -> Warehouse:
        if self.settings.engine == "duckdb":
            import duckdb

            self._con = duckdb.connect(str(self.settings.database))
        else:
            missing = [v for v in SNOWFLAKE_REQUIRED if not os.environ.get(v)]
            if missing:
                raise ConfigurationError(
                    f"target {self.settings.target} is Snowflake: set {', '.join(missing)}"
                )
            import snowflake.connector  # pragma: no cover - needs a Snowflake account

            self._con = snowflake.connector.connect(  # pragma: no cover
                account=os.environ["SNOWFLAKE_ACCOUNT"],
                user=os.environ.get("SNOWFLAKE_USER", "SVC_DBT"),
                private_key_file=os.environ["SNOWFLAKE_PRIVATE_KEY_PATH"],
                private_key_file_pwd=os.environ.get("SNOWFLAKE_PRIVATE_KEY_PASSPHRASE") or None,
                role=os.environ.get("SNOWFLAKE_ROLE", "TRANSFORMER"),
                database=os.environ.get("SNOWFLAKE_DATABASE", "INSURANCE"),
                warehouse=os.environ.get("SNOWFLAKE_WAREHOUSE", "INSURANCE_WH"),
            )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    def translate(self, sql: str) -> str:
        return to_dialect(sql, self.dialect)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        sql = self.translate(sql)
        rows: list[tuple[Any, ...]]
        if self.settings.engine == "duckdb":
            rows = self._con.execute(sql, list(params)).fetchall()
            return rows
        cur = self._con.cursor()  # pragma: no cover
        cur.execute(sql.replace("?", "%s"), list(params))
        rows = cur.fetchall()
        return rows

    def execute(self, sql: str, params: Sequence[Any] = ()) -> None:
        self.query_no_result(sql, params)

    def query_no_result(self, sql: str, params: Sequence[Any] = ()) -> None:
        sql = self.translate(sql)
        if self.settings.engine == "duckdb":
            self._con.execute(sql, list(params))
        else:  # pragma: no cover
            self._con.cursor().execute(sql.replace("?", "%s"), list(params))

    def schemas(self) -> list[str]:
        rows = self.query("select schema_name from information_schema.schemata")
        return sorted({r[0] for r in rows})

    def columns(self, relation: Relation) -> list[tuple[str, str]]:
        rows = self.query(
            "select column_name, data_type from information_schema.columns "
            "where lower(table_schema) = lower(?) and lower(table_name) = lower(?) "
            "order by ordinal_position",
            (relation.schema, relation.name),
        )
        return [(str(n), str(t)) for n, t in rows]

    def exists(self, relation: Relation) -> bool:
        return bool(self.relation_type(relation))

    def relation_type(self, relation: Relation) -> str | None:
        rows = self.query(
            "select table_type from information_schema.tables "
            "where lower(table_schema) = lower(?) and lower(table_name) = lower(?)",
            (relation.schema, relation.name),
        )
        if not rows:
            return None
        return "view" if "VIEW" in str(rows[0][0]).upper() else "table"


def to_dialect(sql: str, dialect: str) -> str:
    if dialect == "duckdb":
        return sql
    return ";\n".join(sqlglot.transpile(sql, read="duckdb", write=dialect))


def write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    return path


def read_json(path: Path) -> Any:
    if not path.exists():
        raise MissingInputError(f"missing {path}: run the step that writes it first")
    return json.loads(path.read_text())
