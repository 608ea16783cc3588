"""The Snowflake grant matrix, derived from admin/account_setup.sql and the Terraform grants.

The SQL is split into statements with sqlglot's Snowflake tokenizer (comments and string
literals are tokens, so a ``;`` inside either cannot split a statement); each GRANT is then
read by a small grammar. A GRANT the grammar does not know, or any REVOKE, is an error:
nothing in the file can add a privilege that the matrix does not show.

The matrix is per role, with what the role inherits from the roles granted to it:

- ``reads``: the schemas whose tables or views it can SELECT ("<db>.<schema>"), or
  ``"<db>.*"`` for a grant on all or future objects of a whole database;
- ``writes``: where it can create or own objects ("DATABASE X" for CREATE SCHEMA, "SCHEMA
  X" for CREATE TABLE/VIEW/... or OWNERSHIP of the schema);
- ``usage``: the databases, schemas, warehouses, integrations, stages, file formats and
  tags it may use (USAGE, APPLY);
- ``roles``: every role it holds, directly or through another.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import tf_controls as tc
from sqlglot.dialects.snowflake import Snowflake
from sqlglot.tokens import TokenType

READ_PRIVILEGES = frozenset({"SELECT", "REFERENCES"})
WRITE_PRIVILEGES = frozenset(
    {"INSERT", "UPDATE", "DELETE", "TRUNCATE", "OWNERSHIP", "ALL", "ALL PRIVILEGES"}
)
USE_PRIVILEGES = frozenset({"USAGE", "APPLY", "READ", "MONITOR", "OPERATE"})
OBJECT_KINDS = (
    "TABLES",
    "VIEWS",
    "EXTERNAL TABLES",
    "MATERIALIZED VIEWS",
    "DYNAMIC TABLES",
    "SCHEMAS",
    "STAGES",
    "FILE FORMATS",
)
ON_TARGET = re.compile(
    r"(?:(?P<scope>ALL|FUTURE) (?P<kind>"
    + "|".join(OBJECT_KINDS)
    + r") IN (?P<container>DATABASE|SCHEMA) (?P<cname>[\w.\"]+)"
    r"|(?P<otype>ACCOUNT|DATABASE|SCHEMA|WAREHOUSE|INTEGRATION|TAG|STAGE|FILE FORMAT"
    r"|TABLE|VIEW|EXTERNAL TABLE)(?: (?P<oname>[\w.\"]+))?)"
)
GRANT = re.compile(
    r"GRANT (?P<privs>.+?) ON (?P<target>.+?) TO ROLE (?P<role>\w+)"
    r"(?: (?:COPY CURRENT GRANTS|REVOKE CURRENT GRANTS|WITH GRANT OPTION))?"
)


class GrantParseError(ValueError):
    """A GRANT the grammar does not know, or a REVOKE."""


@dataclass(frozen=True)
class Grant:
    role: str
    privilege: str
    target: str  # normalised: "SCHEMA INSURANCE.X", "FUTURE TABLES IN SCHEMA INSURANCE.X", ...
    source: str  # "account_setup.sql" or "terraform:<resource>"


@dataclass
class Grants:
    grants: set[Grant] = field(default_factory=set)
    role_grants: set[tuple[str, str]] = field(default_factory=set)  # (role, to role)
    user_grants: set[tuple[str, str]] = field(default_factory=set)  # (role, to user)


def statements(sql: str) -> list[str]:
    """The statements of a Snowflake script, upper-cased, comments out, whitespace collapsed."""
    tokens = Snowflake().tokenize(sql)
    out: list[str] = []
    current: list[str] = []
    for token in tokens:
        if token.token_type == TokenType.SEMICOLON:
            if current:
                out.append(" ".join(current))
            current = []
            continue
        text = sql[token.start : token.end + 1]
        current.append(text if token.token_type == TokenType.STRING else text.upper())
    if current:
        out.append(" ".join(current))
    return [re.sub(r"\s*([.,])\s*", r"\1", s).replace(",", ", ") for s in out]


def _target(text: str) -> str:
    match = ON_TARGET.fullmatch(text)
    if not match:
        raise GrantParseError(f"unknown grant target: {text!r}")
    if match.group("scope"):
        return (
            f"{match.group('scope')} {match.group('kind')} IN "
            f"{match.group('container')} {match.group('cname').replace(chr(34), '')}"
        )
    name = (match.group("oname") or "").replace('"', "")
    return f"{match.group('otype')} {name}".strip()


def parse_sql(sql: str, source: str = "account_setup.sql") -> Grants:
    found = Grants()
    for statement in statements(sql):
        if statement.startswith("REVOKE"):
            raise GrantParseError(f"REVOKE in a setup script: {statement!r}")
        if not statement.startswith("GRANT"):
            continue
        if match := re.fullmatch(r"GRANT ROLE (\w+) TO ROLE (\w+)", statement):
            found.role_grants.add((match.group(1), match.group(2)))
            continue
        if match := re.fullmatch(r"GRANT ROLE (\w+) TO USER (\w+)", statement):
            found.user_grants.add((match.group(1), match.group(2)))
            continue
        match = GRANT.fullmatch(statement)
        if not match:
            raise GrantParseError(f"unknown GRANT: {statement!r}")
        target = _target(match.group("target"))
        for privilege in (p.strip() for p in match.group("privs").split(",")):
            found.grants.add(Grant(match.group("role"), privilege, target, source))
    return found


_ON_SCHEMA_OBJECT_TYPES = {"STAGE": "STAGE", "FILE FORMAT": "FILE FORMAT", "TABLE": "TABLE"}


def parse_terraform(config: dict[str, Any]) -> Grants:
    """snowflake_grant_privileges_to_account_role resources, with var./local. resolved."""
    found = Grants()
    resources = config.get("resource", {})
    for name, body in resources.get("snowflake_grant_privileges_to_account_role", {}).items():
        role = str(tc.resolve(body["account_role_name"], config)).upper()
        source = f"terraform:{name}"
        body = {k: _block(v) for k, v in body.items()}
        if "on_account_object" in body:
            obj = body["on_account_object"]
            target = f"{obj['object_type']} {_tf_name(obj['object_name'], config)}"
        elif "on_schema_object" in body:
            obj = body["on_schema_object"]
            if "object_type" in obj:
                target = f"{obj['object_type']} {_tf_name(obj['object_name'], config)}"
            else:
                scope = "FUTURE" if "future" in obj else "ALL"
                spec = _block(obj.get("future") or obj.get("all"))
                kind = spec["object_type_plural"]
                where = (
                    f"DATABASE {spec['in_database']}"
                    if "in_database" in spec
                    else f"SCHEMA {spec['in_schema']}"
                )
                target = f"{scope} {kind} IN {where}"
        elif "on_schema" in body:
            obj = body["on_schema"]
            if "schema_name" in obj:
                target = f"SCHEMA {obj['schema_name']}"
            else:
                scope = "FUTURE" if "future_schemas_in_database" in obj else "ALL"
                database = obj.get("future_schemas_in_database") or obj.get(
                    "all_schemas_in_database"
                )
                target = f"{scope} SCHEMAS IN DATABASE {database}"
        elif body.get("on_account"):
            target = "ACCOUNT"
        else:
            raise GrantParseError(f"terraform grant {name}: unknown target {sorted(body)}")
        for privilege in body.get("privileges", []) or (
            ["ALL"] if body.get("all_privileges") else []
        ):
            found.grants.add(Grant(role, str(privilege).upper(), target, source))
    for kind in ("snowflake_grant_account_role",):
        for name, body in resources.get(kind, {}).items():
            role = str(tc.resolve(body["role_name"], config)).upper()
            if "parent_role_name" in body:
                found.role_grants.add((role, str(tc.resolve(body["parent_role_name"], config))))
            elif "user_name" in body:
                found.user_grants.add((role, str(tc.resolve(body["user_name"], config))))
            else:
                raise GrantParseError(f"terraform role grant {name}: no grantee")
    return found


def _block(value: Any) -> Any:
    """python-hcl2 reads a nested block as a list of one mapping."""
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        return value[0]
    return value


def _tf_name(value: Any, config: dict[str, Any]) -> str:
    """A resource reference as the object it names (the landing stage, the file formats)."""
    text = str(tc.resolve(value, config))
    ref = re.fullmatch(r"\$\{(\w+)\.(\w+)\.(name|fully_qualified_name)\}", text)
    if not ref:
        return text.upper()
    body = config["resource"][ref.group(1)][ref.group(2)]
    parts = [body.get("database"), body.get("schema"), body.get("name")]
    if ref.group(3) == "name":
        parts = [body.get("name")]
    return ".".join(str(tc.resolve(p, config)).upper() for p in parts if p)


def merge(*parts: Grants) -> Grants:
    out = Grants()
    for part in parts:
        out.grants |= part.grants
        out.role_grants |= part.role_grants
        out.user_grants |= part.user_grants
    return out


@dataclass(frozen=True)
class Access:
    reads: frozenset[str]
    writes: frozenset[str]
    usage: frozenset[str]
    roles: frozenset[str]


def held_roles(grants: Grants, role: str) -> set[str]:
    """The role and every role it inherits, transitively."""
    held = {role}
    todo = [role]
    while todo:
        current = todo.pop()
        for granted, grantee in grants.role_grants:
            if grantee == current and granted not in held:
                held.add(granted)
                todo.append(granted)
    return held


def _read_scope(target: str) -> str | None:
    match = re.fullmatch(
        r"(?:ALL|FUTURE) (?:TABLES|VIEWS|EXTERNAL TABLES|MATERIALIZED VIEWS|DYNAMIC TABLES) "
        r"IN (DATABASE|SCHEMA) ([\w.]+)",
        target,
    )
    if match:
        return f"{match.group(2)}.*" if match.group(1) == "DATABASE" else match.group(2)
    match = re.fullmatch(r"(?:TABLE|VIEW|EXTERNAL TABLE) (\w+)\.(\w+)\.\w+", target)
    if match:
        return f"{match.group(1)}.{match.group(2)}"
    return None


def access(grants: Grants, role: str) -> Access:
    reads: set[str] = set()
    writes: set[str] = set()
    usage: set[str] = set()
    roles = held_roles(grants, role)
    for grant in grants.grants:
        if grant.role not in roles:
            continue
        if grant.privilege in READ_PRIVILEGES:
            scope = _read_scope(grant.target)
            if scope is None:
                raise GrantParseError(f"read grant on {grant.target!r}")
            reads.add(scope)
        elif grant.privilege.startswith("CREATE ") or grant.privilege in WRITE_PRIVILEGES:
            if grant.privilege == "OWNERSHIP" and grant.target.startswith("SCHEMA "):
                reads.add(grant.target.removeprefix("SCHEMA "))
            writes.add(grant.target)
        elif grant.privilege in USE_PRIVILEGES or grant.privilege.startswith("APPLY"):
            usage.add(
                grant.target if grant.privilege == "USAGE" else f"{grant.privilege} {grant.target}"
            )
        else:
            raise GrantParseError(f"unclassified privilege {grant.privilege!r} on {grant.target}")
    return Access(frozenset(reads), frozenset(writes), frozenset(usage), frozenset(roles - {role}))


def matrix(grants: Grants, roles: Iterable[str]) -> dict[str, Access]:
    return {role: access(grants, role) for role in roles}
