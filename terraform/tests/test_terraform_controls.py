"""Security controls of terraform/ that checkov does not check (or not precisely).

Each control is a ``check_*`` function in tf_controls.py returning a list of
problems. It must report nothing on the real configuration and must report a
problem once the control is removed from a copy of it.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
import tf_controls as tc

Config = dict[str, Any]


@pytest.fixture(scope="module")
def config() -> Config:
    return tc.load_config()


def mutated(config: Config, change: Callable[[Config], object]) -> Config:
    copied = copy.deepcopy(config)
    change(copied)
    return copied


def doc(config: Config, name: str) -> dict[str, Any]:
    return config["data"]["aws_iam_policy_document"][name]


def stmt(config: Config, document: str, sid: str) -> dict[str, Any]:
    return next(s for s in doc(config, document)["statement"] if s.get("sid") == sid)


def drop_stmt(config: Config, document: str, sid: str) -> None:
    d = doc(config, document)
    d["statement"] = [s for s in d["statement"] if s.get("sid") != sid]


def res(config: Config, type_name: str, name: str) -> dict[str, Any]:
    return config["resource"][type_name][name]


ALL_CHECKS = [
    tc.check_public_access_block,
    tc.check_ownership_and_encryption,
    tc.check_versioning,
    tc.check_lifecycle,
    tc.check_tls_deny,
    tc.check_encrypted_uploads_only,
    tc.check_event_notifications,
    tc.check_kms_rotation,
    tc.check_trust_policy,
    tc.check_reader_policy,
    tc.check_raw_lines_file_format,
    tc.check_json_documents_file_format,
    tc.check_stage_and_integration,
    tc.check_snowflake_provider,
    tc.check_dbt_grants,
]


@pytest.mark.parametrize("check", ALL_CHECKS, ids=lambda f: f.__name__)
def test_control_holds_on_the_real_configuration(config: Config, check) -> None:
    assert check(config) == []


# --- bucket policy: TLS only ------------------------------------------------------------


def _set_tls_condition_value(c: Config, value: str) -> None:
    stmt(c, "landing_bucket", "DenyInsecureTransport")["condition"][0]["values"] = [value]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda c: drop_stmt(c, "landing_bucket", "DenyInsecureTransport"), id="removed"
        ),
        pytest.param(
            lambda c: stmt(c, "landing_bucket", "DenyInsecureTransport").pop("condition"),
            id="no-condition",
        ),
        pytest.param(lambda c: _set_tls_condition_value(c, "true"), id="inverted"),
        pytest.param(
            lambda c: stmt(c, "landing_bucket", "DenyInsecureTransport").update(effect="Allow"),
            id="allow",
        ),
        pytest.param(
            lambda c: stmt(c, "landing_bucket", "DenyInsecureTransport").update(
                resources=["${aws_s3_bucket.landing.arn}"]
            ),
            id="bucket-only",
        ),
        pytest.param(
            lambda c: res(c, "aws_s3_bucket_policy", "landing").update(policy="{}"),
            id="policy-detached",
        ),
    ],
)
def test_tls_deny_removed_is_flagged(config: Config, change) -> None:
    assert tc.check_tls_deny(mutated(config, change))


# --- bucket policy: SSE-KMS with this key only --------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda c: drop_stmt(c, "landing_bucket", "DenyUnencryptedObjectUploads"),
            id="unencrypted-allowed",
        ),
        pytest.param(
            lambda c: drop_stmt(c, "landing_bucket", "DenyUploadsWithAnotherKmsKey"),
            id="any-key-allowed",
        ),
        pytest.param(
            lambda c: stmt(c, "landing_bucket", "DenyUploadsWithAnotherKmsKey")["condition"][
                0
            ].update(values=["${aws_kms_key.events.arn}"]),
            id="other-key",
        ),
        pytest.param(
            lambda c: stmt(c, "landing_bucket", "DenyUnencryptedObjectUploads")["condition"][
                0
            ].update(values=["AES256"]),
            id="sse-s3",
        ),
    ],
)
def test_encrypted_upload_deny_removed_is_flagged(config: Config, change) -> None:
    assert tc.check_encrypted_uploads_only(mutated(config, change))


# --- public access block, ownership, encryption, versioning, lifecycle ------------------------


@pytest.mark.parametrize("bucket", ["landing", "access_logs"])
@pytest.mark.parametrize(
    "flag",
    ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"],
)
def test_public_access_flag_off_is_flagged(config: Config, bucket: str, flag: str) -> None:
    c = mutated(
        config, lambda c: res(c, "aws_s3_bucket_public_access_block", bucket).update({flag: False})
    )
    assert any(flag in p for p in tc.check_public_access_block(c))


def test_missing_public_access_block_is_flagged(config: Config) -> None:
    c = mutated(config, lambda c: c["resource"]["aws_s3_bucket_public_access_block"].pop("landing"))
    assert tc.check_public_access_block(c)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda c: res(c, "aws_s3_bucket_ownership_controls", "landing")["rule"][0].update(
                object_ownership="ObjectWriter"
            ),
            id="acls-enabled",
        ),
        pytest.param(
            lambda c: res(c, "aws_s3_bucket_server_side_encryption_configuration", "landing")[
                "rule"
            ][0]["apply_server_side_encryption_by_default"][0].update(sse_algorithm="AES256"),
            id="sse-s3",
        ),
        pytest.param(
            lambda c: res(c, "aws_s3_bucket_server_side_encryption_configuration", "landing")[
                "rule"
            ][0].update(bucket_key_enabled=False),
            id="no-bucket-key",
        ),
    ],
)
def test_ownership_or_encryption_weakened_is_flagged(config: Config, change) -> None:
    assert tc.check_ownership_and_encryption(mutated(config, change))


def test_versioning_suspended_is_flagged(config: Config) -> None:
    c = mutated(
        config,
        lambda c: res(c, "aws_s3_bucket_versioning", "landing")["versioning_configuration"][
            0
        ].update(status="Suspended"),
    )
    assert tc.check_versioning(c)


def test_lifecycle_without_multipart_abort_is_flagged(config: Config) -> None:
    def change(c: Config) -> None:
        lifecycle = res(c, "aws_s3_bucket_lifecycle_configuration", "landing")
        lifecycle["rule"] = [
            r for r in lifecycle["rule"] if "abort_incomplete_multipart_upload" not in r
        ]

    assert tc.check_lifecycle(mutated(config, change))


@pytest.mark.parametrize("key", ["landing", "events"])
def test_kms_rotation_off_is_flagged(config: Config, key: str) -> None:
    c = mutated(config, lambda c: res(c, "aws_kms_key", key).update(enable_key_rotation=False))
    assert tc.check_kms_rotation(c)


# --- event notifications (SNS route) -----------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda c: doc(c, "landing_events_topic").pop("source_policy_documents"),
            id="snowflake-cannot-subscribe",
        ),
        pytest.param(
            lambda c: res(c, "aws_sns_topic", "landing_events").pop("kms_master_key_id"),
            id="unencrypted-topic",
        ),
        pytest.param(
            lambda c: res(c, "aws_s3_bucket_notification", "landing")["topic"][0].update(
                filter_prefix="other/"
            ),
            id="wrong-prefix",
        ),
        pytest.param(
            lambda c: stmt(c, "landing_events_topic", "AllowLandingBucketToPublish").pop(
                "condition"
            ),
            id="any-bucket-may-publish",
        ),
    ],
)
def test_event_notification_weakened_is_flagged(config: Config, change) -> None:
    assert tc.check_event_notifications(mutated(config, change))


# --- IAM: trust policy ----------------------------------------------------------------------------


def test_trust_policy_without_external_id_is_flagged(config: Config) -> None:
    """Removing the condition block from the .tf text is caught end to end."""
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(tc.TERRAFORM_DIR.glob("*.tf"))}
    iam, count = re.subn(
        r'\n\s*condition \{\s*test\s*=\s*"StringEquals"\s*variable\s*=\s*"sts:ExternalId".*?\}\n',
        "\n",
        texts["iam.tf"],
        flags=re.S,
    )
    assert count == 1
    texts["iam.tf"] = iam
    problems = tc.check_trust_policy(tc.load_config_from_texts(texts.values()))
    assert any("sts:ExternalId" in p for p in problems)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda c: stmt(c, "snowflake_reader_trust", "AllowSnowflakeIntegrationToAssume")[
                "condition"
            ][0].update(values=["fixed-external-id"]),
            id="external-id-not-from-integration",
        ),
        pytest.param(
            lambda c: stmt(c, "snowflake_reader_trust", "AllowSnowflakeIntegrationToAssume")[
                "principals"
            ][0].update(identifiers=["*"]),
            id="anyone",
        ),
        pytest.param(
            lambda c: res(c, "snowflake_storage_integration_aws", "landing").update(
                storage_aws_role_arn="${aws_iam_role.snowflake_reader.arn}"
            ),
            id="cycle",
        ),
    ],
)
def test_trust_policy_weakened_is_flagged(config: Config, change) -> None:
    assert tc.check_trust_policy(mutated(config, change))


# --- IAM: the reader role's permissions ---------------------------------------------------


def _add_action(c: Config, sid: str, action: str) -> None:
    stmt(c, "snowflake_reader", sid)["actions"].append(action)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda c: _add_action(c, "ReadLandingObjects", "s3:*"), id="s3-star"),
        pytest.param(lambda c: _add_action(c, "ReadLandingObjects", "s3:PutObject"), id="write"),
        pytest.param(lambda c: _add_action(c, "DecryptLandingObjects", "kms:*"), id="kms-star"),
        pytest.param(
            lambda c: _add_action(c, "DecryptLandingObjects", "kms:GenerateDataKey"),
            id="kms-encrypt",
        ),
        pytest.param(
            lambda c: stmt(c, "snowflake_reader", "ReadLandingObjects").update(resources=["*"]),
            id="any-resource",
        ),
        pytest.param(
            lambda c: stmt(c, "snowflake_reader", "ReadLandingObjects").update(
                resources=["${aws_s3_bucket.landing.arn}/*"]
            ),
            id="whole-bucket",
        ),
        pytest.param(
            lambda c: stmt(c, "snowflake_reader", "ListLandingPrefix").pop("condition"),
            id="list-everything",
        ),
        pytest.param(
            lambda c: stmt(c, "snowflake_reader", "DecryptLandingObjects").update(resources=["*"]),
            id="decrypt-any-key",
        ),
        pytest.param(
            lambda c: (
                c["resource"]
                .setdefault("aws_iam_role_policy_attachment", {})
                .update(
                    admin={
                        "role": "${aws_iam_role.snowflake_reader.name}",
                        "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess",
                    }
                )
            ),
            id="extra-attachment",
        ),
    ],
)
def test_reader_policy_widened_is_flagged(config: Config, change) -> None:
    assert tc.check_reader_policy(mutated(config, change))


def test_reader_policy_action_set_is_exact(config: Config) -> None:
    actions = {a for s in tc.statements(doc(config, "snowflake_reader")) for a in s["actions"]}
    assert actions == {"s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket", "kms:Decrypt"}


# --- Snowflake ---------------------------------------------------------------------------------


@pytest.mark.parametrize("option", sorted(tc.RAW_LINES_OPTIONS))
def test_file_format_option_changed_is_flagged(config: Config, option: str) -> None:
    c = mutated(config, lambda c: res(c, "snowflake_file_format_csv", "raw_lines").pop(option))
    assert any(option in p for p in tc.check_raw_lines_file_format(c))


@pytest.mark.parametrize("option", sorted(tc.JSON_DOCUMENTS_OPTIONS))
def test_json_file_format_option_changed_is_flagged(config: Config, option: str) -> None:
    c = mutated(
        config, lambda c: res(c, "snowflake_file_format_json", "json_documents").pop(option)
    )
    assert any(option in p for p in tc.check_json_documents_file_format(c))


def test_json_file_format_strip_outer_array_is_flagged(config: Config) -> None:
    c = mutated(
        config,
        lambda c: res(c, "snowflake_file_format_json", "json_documents").update(
            strip_outer_array="true"
        ),
    )
    assert tc.check_json_documents_file_format(c)


def test_json_file_format_missing_is_flagged(config: Config) -> None:
    c = mutated(config, lambda c: c["resource"].pop("snowflake_file_format_json"))
    assert tc.check_json_documents_file_format(c)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda c: res(c, "snowflake_storage_integration_aws", "landing").update(
                storage_allowed_locations=["s3://${var.bucket_name}/"]
            ),
            id="whole-bucket-allowed",
        ),
        pytest.param(
            lambda c: res(c, "snowflake_stage_external_s3", "landing").pop("storage_integration"),
            id="stage-without-integration",
        ),
        pytest.param(
            lambda c: res(c, "snowflake_stage_external_s3", "landing").update(name="LAKE"),
            id="hard-coded-name",
        ),
    ],
)
def test_stage_or_integration_changed_is_flagged(config: Config, change) -> None:
    assert tc.check_stage_and_integration(mutated(config, change))


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(
            lambda c: c["provider"]["snowflake"][0]["preview_features_enabled"].remove(
                "snowflake_file_format_csv_resource"
            ),
            id="preview-feature-missing",
        ),
        pytest.param(
            lambda c: c["provider"]["snowflake"][0]["preview_features_enabled"].remove(
                "snowflake_file_format_json_resource"
            ),
            id="json-preview-feature-missing",
        ),
        pytest.param(
            lambda c: c["resource"].update(snowflake_stage={"old": {"name": "X"}}),
            id="deprecated-resource",
        ),
        pytest.param(
            lambda c: c["provider"]["snowflake"][0].update(private_key="${var.key}"),
            id="secret-in-code",
        ),
    ],
)
def test_provider_misconfiguration_is_flagged(config: Config, change) -> None:
    assert tc.check_snowflake_provider(mutated(config, change))


@pytest.mark.parametrize(
    "grant",
    [
        "dbt_integration_usage",
        "dbt_stage_usage",
        "dbt_file_format_usage",
        "dbt_json_file_format_usage",
    ],
)
def test_missing_dbt_grant_is_flagged(config: Config, grant: str) -> None:
    c = mutated(
        config, lambda c: c["resource"]["snowflake_grant_privileges_to_account_role"].pop(grant)
    )
    assert tc.check_dbt_grants(c)


def test_create_external_table_is_granted_only_by_the_admin_script(config: Config) -> None:
    """One place for dbt's CREATE privileges on LANDING: account_setup.sql."""
    for body in config["resource"]["snowflake_grant_privileges_to_account_role"].values():
        assert all(not p.startswith("CREATE") for p in body.get("privileges", []))
    grants = tc.sql_objects(tc.ACCOUNT_SETUP_SQL.read_text(encoding="utf-8"))["grants"]
    assert ("CREATE EXTERNAL TABLE", "SCHEMA INSURANCE.LANDING", "TRANSFORMER") in grants


# --- hygiene ------------------------------------------------------------------------------------


def test_every_variable_is_typed_and_described(config: Config) -> None:
    for name, body in config["variable"].items():
        assert body.get("type"), f"variable {name} has no type"
        assert body.get("description"), f"variable {name} has no description"


def test_no_variable_holds_a_secret(config: Config) -> None:
    for name, body in config["variable"].items():
        assert not re.search(r"password|secret|private_key|token", name), name
        assert body.get("sensitive") is not True, name


def test_every_checkov_skip_has_a_reason() -> None:
    pattern = re.compile(r"#\s*checkov:skip=(CKV2?_[A-Z]+_\d+)(:?)(.*)")
    skips = []
    for path in sorted(tc.TERRAFORM_DIR.rglob("*.tf")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if match := pattern.search(line):
                check_id, colon, reason = match.groups()
                assert colon and len(reason.strip()) >= 20, f"{path.name}: {check_id} has no reason"
                skips.append(check_id)
    assert skips, "expected the documented checkov skips"


def test_tfvars_example_sets_known_variables(config: Config) -> None:
    example = tc.parse_hcl((tc.TERRAFORM_DIR / "terraform.tfvars.example").read_text("utf-8"))
    assert set(example) <= set(config["variable"]), set(example) - set(config["variable"])
    required = {name for name, body in config["variable"].items() if "default" not in body}
    assert required <= set(example), f"example misses required variables {required - set(example)}"
