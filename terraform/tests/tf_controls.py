"""Load the Terraform configuration offline and check the controls checkov does not.

Every ``check_*`` function takes the merged configuration returned by
:func:`load_config` and returns a list of problems (empty when the control is in
place), so the tests can run each check on the real configuration and on a
copy with the control removed.

References stay symbolic: python-hcl2 gives ``${aws_s3_bucket.landing.arn}`` for
a reference, and the checks compare against those strings. Only locals and
literal variable defaults are substituted, where a check asks (see :func:`resolve`).

This uses PyPI's python-hcl2 (``hcl2``) from the project's .venv; checkov's fork
(bc-python-hcl2) installs a module with the same name and lives in .venv-checkov.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import hcl2
from hcl2.utils import SerializationOptions

TERRAFORM_DIR = Path(__file__).resolve().parents[1]
REPO_ROOT = TERRAFORM_DIR.parent
ACCOUNT_SETUP_SQL = TERRAFORM_DIR / "admin" / "account_setup.sql"

_OPTIONS = SerializationOptions(
    strip_string_quotes=True, explicit_blocks=False, with_comments=False
)

Config = dict[str, Any]

LANDING_BUCKET = "${aws_s3_bucket.landing.id}"
LANDING_BUCKET_ARN = "${aws_s3_bucket.landing.arn}"
LANDING_KEY_ARN = "${aws_kms_key.landing.arn}"
INTEGRATION = "snowflake_storage_integration_aws.landing"

# Raw-lines file format: the dbt sources read every file as one VARCHAR per line.
RAW_LINES_OPTIONS: dict[str, Any] = {
    "field_delimiter": "NONE",
    "record_delimiter": "\n",
    "skip_header": 0,
    "field_optionally_enclosed_by": "NONE",
    "escape": "NONE",
    "escape_unenclosed_field": "NONE",
    "replace_invalid_characters": "true",
    "encoding": "UTF8",
    "compression": "AUTO",
    "empty_field_as_null": "false",
    "trim_space": "false",
}

# Whole-document JSON file format: the batch manifests, one VARIANT per file.
JSON_DOCUMENTS_OPTIONS: dict[str, Any] = {
    "strip_outer_array": "false",
    "multi_line": "true",
    "compression": "AUTO",
}

# Preview features each resource / data source type of the provider needs.
SNOWFLAKE_PREVIEW_FEATURES = {
    ("resource", "snowflake_file_format_csv"): "snowflake_file_format_csv_resource",
    ("resource", "snowflake_file_format_json"): "snowflake_file_format_json_resource",
    ("data", "snowflake_system_get_aws_sns_iam_policy"): (
        "snowflake_system_get_aws_sns_iam_policy_datasource"
    ),
}
# Deprecated in the 2.x provider in favour of the split resources used here.
DEPRECATED_SNOWFLAKE_RESOURCES = {
    "snowflake_storage_integration",
    "snowflake_stage",
    "snowflake_file_format",
    "snowflake_grant_privileges_to_role",
    "snowflake_role",
}


# --- loading ------------------------------------------------------------------------


def parse_hcl(text: str) -> dict[str, Any]:
    return hcl2.loads(text, serialization_options=_OPTIONS)


def merge(documents: Iterable[Mapping[str, Any]]) -> Config:
    """Merge parsed .tf files into one lookup-friendly structure.

    ``resource`` and ``data`` become ``{type: {name: body}}``, ``variable`` and
    ``output`` ``{name: body}``, ``provider`` ``{name: [body, ...]}``, ``locals``
    one flat dict, and ``terraform`` a list of blocks.
    """
    config: Config = {
        "resource": {},
        "data": {},
        "variable": {},
        "provider": {},
        "locals": {},
        "terraform": [],
        "output": {},
    }
    for document in documents:
        for kind in ("resource", "data"):
            for block in document.get(kind, []):
                for type_name, named in block.items():
                    for name, body in named.items():
                        config[kind].setdefault(type_name, {})[name] = body
        for kind in ("variable", "output"):
            for block in document.get(kind, []):
                config[kind].update(block)
        # Provider blocks may repeat (aliases): keep a list per provider.
        for block in document.get("provider", []):
            for name, body in block.items():
                config["provider"].setdefault(name, []).append(body)
        for block in document.get("locals", []):
            config["locals"].update(block)
        config["terraform"].extend(document.get("terraform", []))
    return config


def load_config(directory: Path = TERRAFORM_DIR) -> Config:
    """Parse every top-level ``*.tf`` file of ``directory`` (one Terraform module)."""
    files = sorted(directory.glob("*.tf"))
    if not files:
        raise FileNotFoundError(f"no .tf files in {directory}")
    return merge(parse_hcl(path.read_text(encoding="utf-8")) for path in files)


def load_config_from_texts(texts: Iterable[str]) -> Config:
    return merge(parse_hcl(text) for text in texts)


_REF = re.compile(r"\$\{(local|var)\.([A-Za-z0-9_]+)\}")


def resolve(value: Any, config: Config, _depth: int = 0) -> Any:
    """Substitute ``${local.x}`` (recursively) and ``${var.x}`` where the variable
    default is a plain literal string; any other reference is left as written."""
    if isinstance(value, list):
        return [resolve(v, config, _depth) for v in value]
    if not isinstance(value, str) or _depth > 10:
        return value

    def substitute(match: re.Match[str]) -> str:
        kind, name = match.groups()
        if kind == "local":
            target = config["locals"].get(name)
            if isinstance(target, str):
                return resolve(target, config, _depth + 1)
        else:
            target = config["variable"].get(name, {}).get("default")
            if isinstance(target, str) and "${" not in target:
                return target
        return match.group(0)

    return _REF.sub(substitute, value)


def _blocks(value: Any) -> list[dict[str, Any]]:
    """Nested blocks come back as a list of dicts; tolerate a single dict or None."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    return list(value)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def resources(config: Config, type_name: str) -> dict[str, dict[str, Any]]:
    return config["resource"].get(type_name, {})


def data_sources(config: Config, type_name: str) -> dict[str, dict[str, Any]]:
    return config["data"].get(type_name, {})


def for_bucket(
    config: Config, type_name: str, bucket_ref: str = LANDING_BUCKET
) -> list[dict[str, Any]]:
    """Bucket sub-resources (aws_s3_bucket_*) attached to ``bucket_ref``."""
    return [
        body for body in resources(config, type_name).values() if body.get("bucket") == bucket_ref
    ]


_DOC_REF = re.compile(r"^\$\{data\.aws_iam_policy_document\.([A-Za-z0-9_]+)\.json\}$")


def policy_document(config: Config, reference: Any) -> dict[str, Any] | None:
    """The aws_iam_policy_document a ``policy = data....json`` attribute points at."""
    match = _DOC_REF.match(reference) if isinstance(reference, str) else None
    if not match:
        return None
    return data_sources(config, "aws_iam_policy_document").get(match.group(1))


def statements(document: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    return _blocks(document.get("statement")) if document else []


def _principals(statement: Mapping[str, Any]) -> list[tuple[str, list[str]]]:
    return [
        (p.get("type"), _as_list(p.get("identifiers")))
        for p in _blocks(statement.get("principals"))
    ]


def _conditions(statement: Mapping[str, Any]) -> list[tuple[str, str, list[Any]]]:
    return [
        (c.get("test"), c.get("variable"), _as_list(c.get("values")))
        for c in _blocks(statement.get("condition"))
    ]


def _applies_to_everyone(statement: Mapping[str, Any]) -> bool:
    return any(kind == "*" and ids == ["*"] for kind, ids in _principals(statement)) or any(
        kind == "AWS" and ids == ["*"] for kind, ids in _principals(statement)
    )


def landing_bucket_policy(config: Config) -> tuple[dict[str, Any] | None, list[str]]:
    attached = for_bucket(config, "aws_s3_bucket_policy")
    if len(attached) != 1:
        return None, [
            f"expected one aws_s3_bucket_policy on the landing bucket, found {len(attached)}"
        ]
    document = policy_document(config, attached[0].get("policy"))
    if document is None:
        return None, ["the landing bucket policy is not an aws_iam_policy_document"]
    return document, []


# --- S3 ------------------------------------------------------------------------------


def check_public_access_block(config: Config) -> list[str]:
    problems = []
    flags = (
        "block_public_acls",
        "block_public_policy",
        "ignore_public_acls",
        "restrict_public_buckets",
    )
    for name in resources(config, "aws_s3_bucket"):
        bucket_ref = f"${{aws_s3_bucket.{name}.id}}"
        blocks = for_bucket(config, "aws_s3_bucket_public_access_block", bucket_ref)
        if len(blocks) != 1:
            problems.append(f"bucket {name}: expected one public access block, found {len(blocks)}")
            continue
        problems += [
            f"bucket {name}: public access block {flag} is not true"
            for flag in flags
            if blocks[0].get(flag) is not True
        ]
    return problems


def check_ownership_and_encryption(config: Config) -> list[str]:
    problems = []
    for name in resources(config, "aws_s3_bucket"):
        bucket_ref = f"${{aws_s3_bucket.{name}.id}}"
        ownership = [
            rule.get("object_ownership")
            for body in for_bucket(config, "aws_s3_bucket_ownership_controls", bucket_ref)
            for rule in _blocks(body.get("rule"))
        ]
        if ownership != ["BucketOwnerEnforced"]:
            problems.append(
                f"bucket {name}: object ownership is {ownership}, not BucketOwnerEnforced"
            )
        if not for_bucket(config, "aws_s3_bucket_server_side_encryption_configuration", bucket_ref):
            problems.append(f"bucket {name}: no default encryption")

    rules = [
        rule
        for body in for_bucket(config, "aws_s3_bucket_server_side_encryption_configuration")
        for rule in _blocks(body.get("rule"))
    ]
    if len(rules) != 1:
        return [*problems, f"landing bucket: expected one encryption rule, found {len(rules)}"]
    defaults = _blocks(rules[0].get("apply_server_side_encryption_by_default"))
    default = defaults[0] if defaults else {}
    if default.get("sse_algorithm") != "aws:kms":
        problems.append("landing bucket: default encryption is not aws:kms")
    if default.get("kms_master_key_id") != LANDING_KEY_ARN:
        problems.append("landing bucket: default encryption does not use aws_kms_key.landing")
    if rules[0].get("bucket_key_enabled") is not True:
        problems.append("landing bucket: S3 bucket key is not enabled")
    return problems


def check_versioning(config: Config) -> list[str]:
    states = [
        v.get("status")
        for body in for_bucket(config, "aws_s3_bucket_versioning")
        for v in _blocks(body.get("versioning_configuration"))
    ]
    return [] if states == ["Enabled"] else [f"landing bucket versioning is {states}, not Enabled"]


def check_lifecycle(config: Config) -> list[str]:
    rules = [
        rule
        for body in for_bucket(config, "aws_s3_bucket_lifecycle_configuration")
        for rule in _blocks(body.get("rule"))
        if rule.get("status") == "Enabled"
    ]
    problems = []
    if not any(_blocks(rule.get("abort_incomplete_multipart_upload")) for rule in rules):
        problems.append("landing bucket: no enabled rule aborts incomplete multipart uploads")
    if not any(_blocks(rule.get("noncurrent_version_expiration")) for rule in rules):
        problems.append("landing bucket: no enabled rule expires noncurrent versions")
    return problems


def check_tls_deny(config: Config) -> list[str]:
    """The landing bucket policy denies every request made without TLS."""
    document, problems = landing_bucket_policy(config)
    if problems:
        return problems
    for statement in statements(document):
        if (
            statement.get("effect") == "Deny"
            and _applies_to_everyone(statement)
            and "s3:*" in _as_list(statement.get("actions"))
            and {LANDING_BUCKET_ARN, f"{LANDING_BUCKET_ARN}/*"}
            <= set(_as_list(statement.get("resources")))
            and ("Bool", "aws:SecureTransport", ["false"]) in _conditions(statement)
        ):
            return []
    return [
        "landing bucket policy: no Deny of s3:* on the bucket and its objects"
        " when aws:SecureTransport is false"
    ]


def _denies_put_unless(statement: Mapping[str, Any], key: str, value: str) -> bool:
    return (
        statement.get("effect") == "Deny"
        and _applies_to_everyone(statement)
        and bool({"s3:PutObject", "s3:*"} & set(_as_list(statement.get("actions"))))
        and f"{LANDING_BUCKET_ARN}/*" in _as_list(statement.get("resources"))
        and ("StringNotEquals", key, [value]) in _conditions(statement)
    )


def check_encrypted_uploads_only(config: Config) -> list[str]:
    """PutObject is denied unless it asks for SSE-KMS with the landing key."""
    document, problems = landing_bucket_policy(config)
    if problems:
        return problems
    stmts = statements(document)
    if not any(_denies_put_unless(s, "s3:x-amz-server-side-encryption", "aws:kms") for s in stmts):
        problems.append(
            "landing bucket policy: PutObject without"
            " s3:x-amz-server-side-encryption = aws:kms is not denied"
        )
    if not any(
        _denies_put_unless(s, "s3:x-amz-server-side-encryption-aws-kms-key-id", LANDING_KEY_ARN)
        for s in stmts
    ):
        problems.append(
            "landing bucket policy: PutObject with a KMS key other than"
            " aws_kms_key.landing is not denied"
        )
    return problems


def check_event_notifications(config: Config) -> list[str]:
    """S3 -> SNS (KMS-encrypted) for raw/, and Snowflake may subscribe to the topic."""
    problems = []
    notifications = for_bucket(config, "aws_s3_bucket_notification")
    topics = [t for n in notifications for t in _blocks(n.get("topic"))]
    topic_ref = "${aws_sns_topic.landing_events.arn}"
    if not any(
        t.get("topic_arn") == topic_ref
        and "s3:ObjectCreated:*" in _as_list(t.get("events"))
        and resolve(t.get("filter_prefix"), config) == "raw/"
        for t in topics
    ):
        problems.append(
            "landing bucket: no ObjectCreated notification for raw/ to aws_sns_topic.landing_events"
        )
    topic = resources(config, "aws_sns_topic").get("landing_events", {})
    if topic.get("kms_master_key_id") != "${aws_kms_key.events.arn}":
        problems.append("SNS topic landing_events is not encrypted with aws_kms_key.events")
    policies = [
        p for p in resources(config, "aws_sns_topic_policy").values() if p.get("arn") == topic_ref
    ]
    document = policy_document(config, policies[0].get("policy")) if len(policies) == 1 else None
    if document is None:
        return [*problems, "SNS topic landing_events has no policy document attached"]
    snowflake_json = (
        "${data.snowflake_system_get_aws_sns_iam_policy.landing_events.aws_sns_topic_policy_json}"
    )
    if snowflake_json not in _as_list(document.get("source_policy_documents")):
        problems.append(
            "SNS topic policy does not include Snowflake's SYSTEM$GET_AWS_SNS_IAM_POLICY statement"
        )
    if not any(
        s.get("effect") == "Allow"
        and ("Service", ["s3.amazonaws.com"]) in _principals(s)
        and _as_list(s.get("actions")) == ["sns:Publish"]
        and ("ArnLike", "aws:SourceArn", [LANDING_BUCKET_ARN]) in _conditions(s)
        for s in statements(document)
    ):
        problems.append("SNS topic policy does not let (only) the landing bucket publish")
    return problems


# --- KMS ------------------------------------------------------------------------------


def check_kms_rotation(config: Config) -> list[str]:
    keys = resources(config, "aws_kms_key")
    if "landing" not in keys:
        return ["no aws_kms_key.landing"]
    return [
        f"aws_kms_key.{name}: rotation is not enabled"
        for name, body in keys.items()
        if body.get("enable_key_rotation") is not True
    ]


# --- IAM ------------------------------------------------------------------------------


def check_trust_policy(config: Config) -> list[str]:
    """Only the integration's IAM user may assume the role, with its external id."""
    role = resources(config, "aws_iam_role").get("snowflake_reader")
    if role is None:
        return ["no aws_iam_role.snowflake_reader"]
    document = policy_document(config, role.get("assume_role_policy"))
    if document is None:
        return ["aws_iam_role.snowflake_reader: the trust policy is not an aws_iam_policy_document"]
    problems = []
    user_arn = f"${{{INTEGRATION}.describe_output[0].iam_user_arn}}"
    external_id = f"${{{INTEGRATION}.describe_output[0].external_id}}"
    stmts = statements(document)
    if len(stmts) != 1:
        problems.append(f"trust policy: expected exactly one statement, found {len(stmts)}")
    for statement in stmts:
        if statement.get("effect") != "Allow" or _as_list(statement.get("actions")) != [
            "sts:AssumeRole"
        ]:
            problems.append("trust policy: a statement is not exactly Allow sts:AssumeRole")
        if _principals(statement) != [("AWS", [user_arn])]:
            problems.append("trust policy: the principal is not the storage integration's IAM user")
        if ("StringEquals", "sts:ExternalId", [external_id]) not in _conditions(statement):
            problems.append(
                "trust policy: no sts:ExternalId condition tied to"
                " the storage integration's external id"
            )

    integration = resources(config, "snowflake_storage_integration_aws").get("landing", {})
    if integration.get("storage_aws_role_arn") != "${local.snowflake_reader_role_arn}":
        problems.append("the storage integration does not use local.snowflake_reader_role_arn")
    expected_arn = (
        "arn:${local.partition}:iam::${local.account_id}:role/${var.snowflake_iam_role_name}"
    )
    if config["locals"].get("snowflake_reader_role_arn") != expected_arn:
        problems.append(
            "local.snowflake_reader_role_arn is not built from the account id and role name"
        )
    if role.get("name") != "${var.snowflake_iam_role_name}":
        problems.append("aws_iam_role.snowflake_reader is not named var.snowflake_iam_role_name")
    return problems


READER_ACTIONS = {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "kms:Decrypt"}


def check_reader_policy(config: Config) -> list[str]:
    """The Snowflake role reads raw/ and decrypts with the landing key, nothing else."""
    role_ref = "${aws_iam_role.snowflake_reader.id}"
    role_name_ref = "${aws_iam_role.snowflake_reader.name}"
    attached = [
        p
        for p in resources(config, "aws_iam_role_policy").values()
        if p.get("role") in (role_ref, role_name_ref)
    ]
    problems = []
    for type_name in (
        "aws_iam_role_policy_attachment",
        "aws_iam_policy_attachment",
        "aws_iam_role_policies_exclusive",
    ):
        if any(
            role_ref in str(b.get("role"))
            or role_name_ref in str(b.get("role"))
            or role_name_ref in str(b.get("roles"))
            for b in resources(config, type_name).values()
        ):
            problems.append(f"the Snowflake reader role has an extra {type_name}")
    role = resources(config, "aws_iam_role").get("snowflake_reader", {})
    if role.get("managed_policy_arns") or role.get("inline_policy"):
        problems.append("the Snowflake reader role declares extra policies on the role itself")
    if len(attached) != 1:
        return [
            *problems,
            f"expected one inline policy on the Snowflake reader role, found {len(attached)}",
        ]
    document = policy_document(config, attached[0].get("policy"))
    if document is None:
        return [*problems, "the Snowflake reader policy is not an aws_iam_policy_document"]

    actions: set[str] = set()
    for statement in statements(document):
        stmt_actions = _as_list(statement.get("actions"))
        stmt_resources = [resolve(r, config) for r in _as_list(statement.get("resources"))]
        actions |= set(stmt_actions)
        if statement.get("effect", "Allow") != "Allow":
            problems.append("reader policy: unexpected non-Allow statement")
        if statement.get("not_actions") or statement.get("not_resources"):
            problems.append("reader policy: not_actions / not_resources are not allowed")
        if any("*" in a for a in stmt_actions):
            problems.append(f"reader policy: wildcard action in {stmt_actions}")
        if not stmt_resources or "*" in stmt_resources:
            problems.append("reader policy: a statement applies to every resource")
        for action in stmt_actions:
            if action in {"s3:GetObject", "s3:GetObjectVersion"} and stmt_resources != [
                f"{LANDING_BUCKET_ARN}/raw/*"
            ]:
                problems.append(
                    f"reader policy: {action} is not limited to the raw/ prefix: {stmt_resources}"
                )
            if action == "s3:ListBucket":
                if stmt_resources != [LANDING_BUCKET_ARN]:
                    problems.append(f"reader policy: s3:ListBucket on {stmt_resources}")
                conditions = [
                    (t, v, resolve(vals, config)) for t, v, vals in _conditions(statement)
                ]
                if ("StringLike", "s3:prefix", ["raw/*"]) not in conditions:
                    problems.append(
                        "reader policy: s3:ListBucket has no s3:prefix condition on raw/*"
                    )
            if action == "kms:Decrypt" and stmt_resources != [LANDING_KEY_ARN]:
                problems.append(
                    f"reader policy: kms:Decrypt on {stmt_resources}, not the landing key"
                )
    if actions != READER_ACTIONS:
        problems.append(
            f"reader policy actions are {sorted(actions)}, expected {sorted(READER_ACTIONS)}"
        )
    return problems


# --- Snowflake ---------------------------------------------------------------------------


def check_raw_lines_file_format(config: Config) -> list[str]:
    formats = resources(config, "snowflake_file_format_csv")
    body = formats.get("raw_lines")
    if body is None:
        return ["no snowflake_file_format_csv.raw_lines"]
    problems = [
        f"RAW_LINES {option} is {body.get(option)!r}, expected {expected!r}"
        for option, expected in RAW_LINES_OPTIONS.items()
        if body.get(option) != expected
    ]
    return problems


def check_json_documents_file_format(config: Config) -> list[str]:
    body = resources(config, "snowflake_file_format_json").get("json_documents")
    if body is None:
        return ["no snowflake_file_format_json.json_documents"]
    problems = [
        f"JSON_DOCUMENTS {option} is {body.get(option)!r}, expected {expected!r}"
        for option, expected in JSON_DOCUMENTS_OPTIONS.items()
        if body.get(option) != expected
    ]
    for key, var in (
        ("database", "snowflake_database"),
        ("schema", "snowflake_landing_schema"),
        ("name", "snowflake_json_file_format_name"),
    ):
        if body.get(key) != f"${{var.{var}}}":
            problems.append(f"the JSON file format {key} is not var.{var}")
    return problems


def check_stage_and_integration(config: Config) -> list[str]:
    """The integration allows only the raw/ prefix, and the stage points there through it."""
    problems = []
    landing_url = "s3://${var.bucket_name}/raw/"
    integration = resources(config, "snowflake_storage_integration_aws").get("landing", {})
    allowed = resolve(_as_list(integration.get("storage_allowed_locations")), config)
    if allowed != [landing_url]:
        problems.append(f"the storage integration allows {allowed}, expected [{landing_url!r}]")
    if integration.get("storage_provider") != "S3" or integration.get("enabled") is not True:
        problems.append("the storage integration is not an enabled S3 integration")
    stage = resources(config, "snowflake_stage_external_s3").get("landing", {})
    if resolve(stage.get("url"), config) != landing_url:
        problems.append(f"the stage url is {stage.get('url')!r}, not {landing_url!r}")
    if stage.get("storage_integration") != f"${{{INTEGRATION}.name}}":
        problems.append("the stage does not use the storage integration")
    for key, var in (
        ("database", "snowflake_database"),
        ("schema", "snowflake_landing_schema"),
        ("name", "snowflake_stage_name"),
    ):
        if stage.get(key) != f"${{var.{var}}}":
            problems.append(f"the stage {key} is not var.{var}")
    file_format = resources(config, "snowflake_file_format_csv").get("raw_lines", {})
    for key, var in (
        ("database", "snowflake_database"),
        ("schema", "snowflake_landing_schema"),
        ("name", "snowflake_file_format_name"),
    ):
        if file_format.get(key) != f"${{var.{var}}}":
            problems.append(f"the file format {key} is not var.{var}")
    return problems


def check_snowflake_provider(config: Config) -> list[str]:
    """Preview features are enabled for exactly the preview resources in use, and
    no deprecated resource types are used."""
    problems = []
    enabled: set[str] = set()
    for body in _blocks(config["provider"].get("snowflake")):
        enabled |= set(_as_list(body.get("preview_features_enabled")))
        for secret in ("password", "private_key", "private_key_passphrase", "token"):
            if secret in body:
                problems.append(f"provider snowflake sets {secret} in code")
    needed = {
        feature
        for (kind, type_name), feature in SNOWFLAKE_PREVIEW_FEATURES.items()
        if config[kind].get(type_name)
    }
    if needed - enabled:
        problems.append(f"preview features not enabled: {sorted(needed - enabled)}")
    if enabled - needed:
        problems.append(f"preview features enabled but unused: {sorted(enabled - needed)}")
    problems += [
        f"deprecated resource type {t} is used"
        for t in DEPRECATED_SNOWFLAKE_RESOURCES
        if config["resource"].get(t)
    ]
    return problems


def check_dbt_grants(config: Config) -> list[str]:
    """dbt's role gets USAGE on the integration, the stage and both file formats."""
    expected = {
        ("on_account_object", "INTEGRATION", f"${{{INTEGRATION}.name}}"),
        (
            "on_schema_object",
            "STAGE",
            "${snowflake_stage_external_s3.landing.fully_qualified_name}",
        ),
        (
            "on_schema_object",
            "FILE FORMAT",
            "${snowflake_file_format_csv.raw_lines.fully_qualified_name}",
        ),
        (
            "on_schema_object",
            "FILE FORMAT",
            "${snowflake_file_format_json.json_documents.fully_qualified_name}",
        ),
    }
    found = set()
    for body in resources(config, "snowflake_grant_privileges_to_account_role").values():
        if body.get("account_role_name") != "${var.dbt_role}" or _as_list(
            body.get("privileges")
        ) != ["USAGE"]:
            continue
        for block in ("on_account_object", "on_schema_object"):
            for target in _blocks(body.get(block)):
                found.add((block, target.get("object_type"), target.get("object_name")))
    return [f"missing USAGE grant to var.dbt_role: {m}" for m in sorted(expected - found)]


# --- names shared with dbt and the admin script -------------------------------------------------


def variable_default(config: Config, name: str) -> Any:
    return config["variable"].get(name, {}).get("default")


def profile_prod_defaults(profiles_text: str) -> dict[str, str]:
    """``{key: default}`` for ``key: "{{ env_var('X', 'default') }}"`` in the prod output."""
    match = re.search(r"^(\s+)prod:\s*$(.*?)(?=^\1\S|\Z)", profiles_text, re.M | re.S)
    if not match:
        return {}
    pattern = re.compile(
        r"^\s+(\w+):\s*[\"']?\{\{\s*env_var\(\s*'[^']+'\s*,\s*'([^']*)'\s*\)\s*\}\}", re.M
    )
    return dict(pattern.findall(match.group(2)))


def sql_statements(sql: str) -> list[str]:
    """Statements of a SQL script, comments removed and whitespace collapsed.

    Splitting on ``;`` is enough for account_setup.sql: none of its string
    literals contains a semicolon.
    """
    text = re.sub(r"--[^\n]*", "", sql)
    return [" ".join(part.split()) for part in text.split(";") if part.strip()]


def sql_objects(sql: str) -> dict[str, Any]:
    """What account_setup.sql creates and grants, from its SQL text."""
    found: dict[str, Any] = {
        "databases": [],
        "schemas": [],
        "roles": [],
        "warehouses": {},
        "users": {},
        "grants": set(),
        "role_grants": set(),
        "user_grants": set(),
    }
    patterns = {
        "databases": r"CREATE DATABASE IF NOT EXISTS (\w+)\b.*",
        "schemas": r"CREATE SCHEMA IF NOT EXISTS (\w+\.\w+)\b.*",
        "roles": r"CREATE ROLE IF NOT EXISTS (\w+)\b.*",
    }
    for statement in sql_statements(sql):
        upper = statement.upper()
        for key, pattern in patterns.items():
            if match := re.fullmatch(pattern, upper):
                found[key].append(match.group(1))
        if match := re.fullmatch(r"CREATE WAREHOUSE IF NOT EXISTS (\w+)\s*(.*)", upper):
            found["warehouses"][match.group(1)] = match.group(2)
        if match := re.fullmatch(r"CREATE USER IF NOT EXISTS (\w+)\s*(.*)", upper):
            found["users"][match.group(1)] = match.group(2)
        if match := re.fullmatch(r"GRANT ROLE (\w+) TO ROLE (\w+)", upper):
            found["role_grants"].add(match.groups())
        elif match := re.fullmatch(r"GRANT ROLE (\w+) TO USER (\w+)", upper):
            found["user_grants"].add(match.groups())
        elif match := re.fullmatch(r"GRANT (.+?) ON (.+) TO ROLE (\w+)", upper):
            found["grants"].add(match.groups())
    return found


def check_names_contract(
    config: Config, profiles_text: str, dbt_vars: Mapping[str, Any], sql: str
) -> list[str]:
    """dbt (profiles.yml prod defaults, dbt_project.yml vars), the Terraform variable
    defaults and the admin script agree on every shared Snowflake name."""
    problems = []
    prod = profile_prod_defaults(profiles_text)
    objects = sql_objects(sql)

    pairs = [
        (
            "profiles.yml prod role",
            prod.get("role"),
            "var.dbt_role",
            variable_default(config, "dbt_role"),
        ),
        (
            "profiles.yml prod database",
            prod.get("database"),
            "var.snowflake_database",
            variable_default(config, "snowflake_database"),
        ),
        (
            "profiles.yml prod warehouse",
            prod.get("warehouse"),
            "var.snowflake_warehouse",
            variable_default(config, "snowflake_warehouse"),
        ),
        (
            "dbt var snowflake_landing_schema",
            dbt_vars.get("snowflake_landing_schema"),
            "var.snowflake_landing_schema",
            variable_default(config, "snowflake_landing_schema"),
        ),
        (
            "dbt var snowflake_stage",
            dbt_vars.get("snowflake_stage"),
            "var.snowflake_stage_name",
            variable_default(config, "snowflake_stage_name"),
        ),
        (
            "dbt var snowflake_raw_lines_file_format",
            dbt_vars.get("snowflake_raw_lines_file_format"),
            "var.snowflake_file_format_name",
            variable_default(config, "snowflake_file_format_name"),
        ),
        (
            "dbt var snowflake_json_file_format",
            dbt_vars.get("snowflake_json_file_format"),
            "var.snowflake_json_file_format_name",
            variable_default(config, "snowflake_json_file_format_name"),
        ),
        (
            # METADATA$FILENAME starts with the stage's own prefix; the sources strip it
            "dbt var snowflake_stage_prefix",
            dbt_vars.get("snowflake_stage_prefix"),
            "local.landing_prefix",
            config.get("locals", {}).get("landing_prefix"),
        ),
    ]
    problems += [
        f"{left} = {a!r} but {right} defaults to {b!r}"
        for left, a, right, b in pairs
        if a is None or a != b
    ]

    database = prod.get("database")
    schema = f"{database}.{dbt_vars.get('snowflake_landing_schema')}"
    warehouse = prod.get("warehouse")
    role = prod.get("role")
    user = prod.get("user")
    # production, and the pull-request environments' own database
    if objects["databases"] != [database, f"{database}_CI"]:
        problems.append(
            f"account_setup.sql creates databases {objects['databases']},"
            f" expected [{database!r}, {database + '_CI'!r}]"
        )
    if schema not in objects["schemas"]:
        problems.append(f"account_setup.sql does not create schema {schema}")
    if list(objects["warehouses"]) != [warehouse]:
        problems.append(
            f"account_setup.sql creates warehouses {list(objects['warehouses'])},"
            f" expected [{warehouse!r}]"
        )
    if (
        set(objects["roles"]) != {"LOADER", "TRANSFORMER", "REPORTER", "PII_READER", "CI_RUNNER"}
        or role not in objects["roles"]
    ):
        problems.append(
            f"account_setup.sql creates roles {objects['roles']}; the dbt role is {role!r}"
        )
    props = objects["users"].get(str(user).upper())
    if props is None:
        problems.append(f"account_setup.sql does not create the dbt user {user!r}")
    else:
        for expected in (
            "TYPE = SERVICE",
            f"DEFAULT_ROLE = {role}",
            f"DEFAULT_WAREHOUSE = {warehouse}",
            "RSA_PUBLIC_KEY =",
        ):
            if expected not in props:
                problems.append(f"account_setup.sql: user {user} lacks {expected}")
    for privilege in ("CREATE EXTERNAL TABLE", "USAGE"):
        if (privilege, f"SCHEMA {schema}", role) not in objects["grants"]:
            problems.append(
                f"account_setup.sql does not grant {privilege} on schema {schema} to {role}"
            )
    return problems


ADMIN_GRANTS = {
    # Terraform (as SYSADMIN) creates the storage integration.
    ("CREATE INTEGRATION", "ACCOUNT", "SYSADMIN"),
    ("USAGE", "WAREHOUSE INSURANCE_WH", "TRANSFORMER"),
    ("USAGE", "DATABASE INSURANCE", "TRANSFORMER"),
    ("CREATE SCHEMA", "DATABASE INSURANCE", "TRANSFORMER"),
    ("USAGE", "SCHEMA INSURANCE.LANDING", "TRANSFORMER"),
    ("CREATE EXTERNAL TABLE", "SCHEMA INSURANCE.LANDING", "TRANSFORMER"),
    ("CREATE TABLE", "SCHEMA INSURANCE.LANDING", "TRANSFORMER"),
    ("CREATE VIEW", "SCHEMA INSURANCE.LANDING", "TRANSFORMER"),
    ("USAGE", "WAREHOUSE INSURANCE_WH", "REPORTER"),
    ("USAGE", "DATABASE INSURANCE", "REPORTER"),
    # the reporting layer, by schema (the whole matrix: test_grant_matrix.py)
    ("SELECT", "FUTURE TABLES IN SCHEMA INSURANCE.ANALYTICS_MARTS", "REPORTER"),
    ("SELECT", "FUTURE VIEWS IN SCHEMA INSURANCE.ANALYTICS_MARTS", "REPORTER"),
    ("CREATE SCHEMA", "DATABASE INSURANCE_CI", "CI_RUNNER"),
}


def check_admin_script(sql: str) -> list[str]:
    """Warehouse settings, role hierarchy, grants and the service user of account_setup.sql."""
    problems = []
    objects = sql_objects(sql)
    for name, props in objects["warehouses"].items():
        for setting in ("WAREHOUSE_SIZE = 'XSMALL'", "AUTO_SUSPEND = 60", "AUTO_RESUME = TRUE"):
            if setting not in props:
                problems.append(f"warehouse {name} lacks {setting}")
    for role in ("LOADER", "TRANSFORMER", "REPORTER", "CI_RUNNER"):
        if (role, "SYSADMIN") not in objects["role_grants"]:
            problems.append(f"role {role} is not granted to SYSADMIN")
    problems += [f"missing grant: {g}" for g in sorted(ADMIN_GRANTS - objects["grants"])]
    for user, props in objects["users"].items():
        if "TYPE = SERVICE" not in props:
            problems.append(f"user {user} is not TYPE = SERVICE")
        if "PASSWORD" in props:
            problems.append(f"user {user} has a password")
        if not re.search(r"RSA_PUBLIC_KEY = '<[A-Z_]+>'", props):
            problems.append(
                f"user {user}: RSA_PUBLIC_KEY is not the placeholder the admin replaces"
            )
        default_role = re.search(r"DEFAULT_ROLE = (\w+)", props)
        if default_role is None or (default_role.group(1), user) not in objects["user_grants"]:
            problems.append(f"user {user} is not granted its default role")
    if "PRIVATE KEY-----" in sql.upper() or "-----BEGIN" in sql.upper():
        problems.append("account_setup.sql contains key material")
    if re.search(r"CREATE\s+OR\s+REPLACE|\bDROP\b", sql_statements_text(sql)):
        problems.append("account_setup.sql replaces or drops objects; it must be safe to re-run")
    return problems


def sql_statements_text(sql: str) -> str:
    return ";\n".join(sql_statements(sql)).upper()
