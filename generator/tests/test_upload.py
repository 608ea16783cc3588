"""The lake uploader against a real S3 API: moto's server, in-process, on a free port."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from moto.server import ThreadedMotoServer

from generator import lake, upload
from generator.manifest import Manifest, ManifestFile, sha256_file
from generator.upload import UploadError, upload_lake, verify_remote

REGION = "us-east-1"
BUCKET = "landing-lake-test"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
FIRST_DATE = dt.date(2026, 11, 20)


# -- the S3 endpoint -------------------------------------------------------------------------
@dataclass(frozen=True)
class Endpoint:
    url: str
    s3: BaseClient
    kms_key_id: str
    kms_key_arn: str


@pytest.fixture(scope="session")
def endpoint() -> Iterator[Endpoint]:
    """moto's S3 and KMS on 127.0.0.1 (port 0: the OS picks a free one), with a bucket."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        url = f"http://{host}:{port}"
        s3 = boto3.client("s3", endpoint_url=url, region_name=REGION, **CREDENTIALS)
        kms = boto3.client("kms", endpoint_url=url, region_name=REGION, **CREDENTIALS)
        key = kms.create_key(Description="landing lake")["KeyMetadata"]
        s3.create_bucket(Bucket=BUCKET)
        yield Endpoint(url, s3, key["KeyId"], key["Arn"])
    finally:
        server.stop()


@pytest.fixture
def prefix() -> str:
    """A key prefix of its own for each test, so tests share the bucket but not objects."""
    return f"raw-{uuid.uuid4().hex[:10]}"


class RecordingClient:
    """A real S3 client that also records when each object write starts and ends."""

    def __init__(self, client: BaseClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self.events: list[tuple[str, str]] = []

    def _record(self, event: str, key: str) -> None:
        with self._lock:
            self.events.append((event, key))

    def put_object(self, **kwargs: Any) -> Any:
        self._record("start", kwargs["Key"])
        response = self._client.put_object(**kwargs)
        self._record("end", kwargs["Key"])
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


class DenyingClient(RecordingClient):
    """A real S3 client behind a policy that denies writes to one source's keys."""

    def __init__(self, client: BaseClient, denied: str) -> None:
        super().__init__(client)
        self._denied = denied

    def put_object(self, **kwargs: Any) -> Any:
        if self._denied in kwargs["Key"]:
            error = {"Error": {"Code": "AccessDenied", "Message": "Access Denied"}}
            raise ClientError(error, "PutObject")
        return super().put_object(**kwargs)


# -- a small lake, written without the generator ---------------------------------------------
def _csv(batch: int) -> bytes:
    rows = [f"INS-{batch}{i:03d},Insured {i},{batch * 100 + i}" for i in range(3)]
    return ("insured_id,name,score\n" + "\n".join(rows) + "\n").encode()


def _jsonl(batch: int) -> bytes:
    rows = [json.dumps({"claim_id": f"CLM-{batch}{i:03d}", "amount": 10.5 * i}) for i in range(4)]
    return ("\n".join(rows) + "\n").encode()


def _write(root: Path, rel: str, data: bytes) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _entry(root: Path, source: str, rel: str) -> ManifestFile:
    path = root / rel
    lines = path.read_bytes().count(b"\n")
    rows = lines - 1 if source in lake.CSV_SOURCES else lines
    return ManifestFile(source, rel, rows, path.stat().st_size, sha256_file(path))


def write_manifest(root: Path, manifest: Manifest) -> str:
    """(Re)write a manifest from the files it lists as they are now; its relative path."""
    manifest.files = [_entry(root, f.source, f.path) for f in manifest.files]
    rel = lake.manifest_path(dt.date.fromisoformat(manifest.ingest_date), manifest.batch_id)
    _write(root, rel, manifest.to_json().encode())
    return rel


def build_lake(root: Path, batches: int = 2) -> list[Manifest]:
    """Two sources per batch (CSV and gzip-less JSONL), a manifest and a fault report each."""
    manifests = []
    for number in range(1, batches + 1):
        date = FIRST_DATE + dt.timedelta(days=number - 1)
        written = dt.datetime.combine(date, dt.time(6, 0), tzinfo=dt.timezone.utc)
        files = []
        for source, data in (("insureds", _csv(number)), ("claims", _jsonl(number))):
            rel = lake.data_file_path(source, date, written, 1)
            _write(root, rel, data)
            files.append(_entry(root, source, rel))
        manifest = Manifest(lake.batch_id(number), number, date.isoformat(), files)
        write_manifest(root, manifest)
        report = {"batch_id": manifest.batch_id, "file_faults": []}
        _write(root, lake.faults_path(date, manifest.batch_id), json.dumps(report).encode())
        manifests.append(manifest)
    return manifests


def all_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def keys(prefix: str, rels: list[str]) -> list[str]:
    return sorted(f"{prefix}/{rel}" for rel in rels)


def remote_keys(s3: BaseClient, prefix: str) -> list[str]:
    listing = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{prefix}/")
    return sorted(obj["Key"] for obj in listing.get("Contents", []))


@pytest.fixture
def small_lake(tmp_path: Path) -> tuple[Path, list[Manifest]]:
    root = tmp_path / "lake"
    return root, build_lake(root)


def _upload(endpoint: Endpoint, root: Path, prefix: str, **kwargs: Any) -> upload.UploadResult:
    kwargs.setdefault("client", endpoint.s3)
    kwargs.setdefault("kms_key_id", endpoint.kms_key_id)
    return upload_lake(root, BUCKET, prefix, workers=4, **kwargs)


# -- tests -----------------------------------------------------------------------------------
def test_first_upload_sends_every_file_encrypted_and_verified(
    endpoint: Endpoint, small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, manifests = small_lake
    lines: list[str] = []
    result = _upload(endpoint, root, prefix, progress=lines.append)

    local = all_files(root)
    assert len(local) == 2 * 4  # per batch: two data files, a manifest, a fault report
    assert sorted(result.uploaded) == keys(prefix, local)
    assert result.skipped == []
    assert result.verified == 4
    assert result.bytes_sent == sum((root / rel).stat().st_size for rel in local)
    assert remote_keys(endpoint.s3, prefix) == keys(prefix, local)
    for rel in local:
        body = endpoint.s3.get_object(Bucket=BUCKET, Key=f"{prefix}/{rel}")["Body"].read()
        assert body == (root / rel).read_bytes()
    for entry in (e for m in manifests for e in m.files):
        head = endpoint.s3.head_object(Bucket=BUCKET, Key=f"{prefix}/{entry.path}")
        assert head["Metadata"]["sha256"] == entry.sha256
        assert head["ContentLength"] == entry.bytes
        assert head["ServerSideEncryption"] == "aws:kms"
        assert head["SSEKMSKeyId"] in (endpoint.kms_key_id, endpoint.kms_key_arn)
        assert head["BucketKeyEnabled"] is True
    assert lines[-1].startswith("upload done: 8 files sent, 0 unchanged")


def test_second_upload_sends_nothing(
    endpoint: Endpoint, small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, _ = small_lake
    first = _upload(endpoint, root, prefix)
    second = _upload(endpoint, root, prefix)
    assert second.uploaded == []
    assert sorted(second.skipped) == sorted(first.uploaded)
    assert second.bytes_sent == 0
    assert second.verified == 4


def test_changed_file_and_its_manifest_are_sent_again(
    endpoint: Endpoint, small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, manifests = small_lake
    _upload(endpoint, root, prefix)
    changed = manifests[1].files[0].path
    (root / changed).write_bytes((root / changed).read_bytes() + b"INS-9999,Late,1\n")
    manifest_rel = write_manifest(root, manifests[1])

    lines: list[str] = []
    result = _upload(endpoint, root, prefix, progress=lines.append)
    assert sorted(result.uploaded) == keys(prefix, [changed, manifest_rel])
    assert len(result.skipped) == 6
    assert result.verified == 4
    warnings = [line for line in lines if line.startswith("warning:")]
    assert len(warnings) == 2
    assert all("immutable" in line for line in warnings)
    body = endpoint.s3.get_object(Bucket=BUCKET, Key=f"{prefix}/{changed}")["Body"].read()
    assert body == (root / changed).read_bytes()


def test_local_file_not_matching_its_manifest_is_refused(
    endpoint: Endpoint, small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, manifests = small_lake
    corrupt = manifests[0].files[1].path
    data = bytearray((root / corrupt).read_bytes())
    data[5] ^= 0x01  # same size, different content
    (root / corrupt).write_bytes(bytes(data))

    with pytest.raises(UploadError, match="does not match its manifests") as caught:
        _upload(endpoint, root, prefix)
    assert corrupt in str(caught.value)
    assert "SHA-256" in str(caught.value)
    assert remote_keys(endpoint.s3, prefix) == []


def test_missing_listed_file_is_refused(
    endpoint: Endpoint, small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, manifests = small_lake
    missing = manifests[1].files[0].path
    (root / missing).unlink()
    with pytest.raises(UploadError, match="missing locally") as caught:
        _upload(endpoint, root, prefix)
    assert missing in str(caught.value)
    assert remote_keys(endpoint.s3, prefix) == []


def test_manifests_are_written_after_every_data_file(
    endpoint: Endpoint, tmp_path: Path, prefix: str
) -> None:
    root = tmp_path / "lake"
    build_lake(root, batches=4)
    recorder = RecordingClient(endpoint.s3)
    result = _upload(endpoint, root, prefix, client=recorder)

    assert len(result.uploaded) == 16
    manifest_prefix = f"{prefix}/{lake.MANIFEST_DIR}/"
    first_manifest = min(
        i
        for i, (event, key) in enumerate(recorder.events)
        if event == "start" and key.startswith(manifest_prefix)
    )
    data_ends = [
        i
        for i, (event, key) in enumerate(recorder.events)
        if event == "end" and not key.startswith(manifest_prefix)
    ]
    assert len(data_ends) == 12
    assert max(data_ends) < first_manifest


def test_failed_data_upload_sends_no_manifest(
    endpoint: Endpoint, small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, manifests = small_lake
    denied = manifests[0].files[0].path  # a CSV of batch 1
    client = DenyingClient(endpoint.s3, denied)
    with pytest.raises(UploadError, match="access denied") as caught:
        _upload(endpoint, root, prefix, client=client)
    assert f"s3://{BUCKET}/{prefix}/{denied}" in str(caught.value)
    sent = remote_keys(endpoint.s3, prefix)
    assert f"{prefix}/{denied}" not in sent
    assert not [key for key in sent if f"/{lake.MANIFEST_DIR}/" in key]


def test_missing_bucket_is_a_clear_error(
    endpoint: Endpoint, small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, _ = small_lake
    with pytest.raises(UploadError, match=r"bucket 'no-such-landing-bucket' not found"):
        upload_lake(root, "no-such-landing-bucket", prefix, client=endpoint.s3)


def test_verification_catches_an_object_changed_remotely(
    endpoint: Endpoint, small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, manifests = small_lake
    _upload(endpoint, root, prefix)
    assert verify_remote(root, BUCKET, prefix, endpoint.s3) == 4

    entry = manifests[0].files[0]
    key = f"{prefix}/{entry.path}"
    endpoint.s3.put_object(Bucket=BUCKET, Key=key, Body=b"overwritten\n")
    with pytest.raises(UploadError, match="verification") as caught:
        verify_remote(root, BUCKET, prefix, endpoint.s3)
    assert key in str(caught.value)


def test_deep_verification_catches_a_forged_object(
    endpoint: Endpoint, small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, manifests = small_lake
    _upload(endpoint, root, prefix)
    entry = manifests[1].files[1]
    key = f"{prefix}/{entry.path}"
    forged = b"x" * entry.bytes  # same size, and the metadata claims the manifest's hash
    endpoint.s3.put_object(Bucket=BUCKET, Key=key, Body=forged, Metadata={"sha256": entry.sha256})

    assert verify_remote(root, BUCKET, prefix, endpoint.s3) == 4  # HEAD only: cannot tell
    with pytest.raises(UploadError, match="content SHA-256") as caught:
        verify_remote(root, BUCKET, prefix, endpoint.s3, deep=True)
    assert key in str(caught.value)


def test_unlisted_files_are_left_out_with_a_warning(
    endpoint: Endpoint, small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, _ = small_lake
    stray = "claims/ingest_date=2026-11-20/claims_20261120T070000Z_0009.jsonl"
    _write(root, stray, b'{"claim_id": "CLM-X"}\n')
    _write(root, ".DS_Store", b"\0")
    lines: list[str] = []
    result = _upload(endpoint, root, prefix, progress=lines.append)

    assert f"warning: {stray} is in no batch manifest; not uploaded" in lines
    assert f"{prefix}/{stray}" not in result.uploaded
    assert len(result.uploaded) == 8
    assert f"{prefix}/{stray}" not in remote_keys(endpoint.s3, prefix)


def test_large_file_goes_up_in_parts(
    endpoint: Endpoint, tmp_path: Path, prefix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upload, "MULTIPART_THRESHOLD", 5 << 20)
    monkeypatch.setattr(upload, "PART_SIZE", 5 << 20)
    root = tmp_path / "lake"
    manifests = build_lake(root, batches=1)
    big = manifests[0].files[1].path
    line = b'{"claim_id": "CLM-000001", "amount": 1234.5, "status": "open"}\n'
    (root / big).write_bytes(line * ((6 << 20) // len(line)))
    write_manifest(root, manifests[0])

    result = _upload(endpoint, root, prefix)
    key = f"{prefix}/{big}"
    assert key in result.uploaded
    head = endpoint.s3.head_object(Bucket=BUCKET, Key=key)
    assert head["ContentLength"] == (root / big).stat().st_size
    assert head["Metadata"]["sha256"] == sha256_file(root / big)
    assert head["ServerSideEncryption"] == "aws:kms"
    body = endpoint.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    assert body == (root / big).read_bytes()
    assert endpoint.s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []
    assert _upload(endpoint, root, prefix).uploaded == []


def test_client_built_from_endpoint_and_environment(
    endpoint: Endpoint,
    small_lake: tuple[Path, list[Manifest]],
    prefix: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    root, _ = small_lake
    result = upload_lake(root, BUCKET, prefix, endpoint_url=endpoint.url, region=REGION)
    assert len(result.uploaded) == 8
    head = endpoint.s3.head_object(Bucket=BUCKET, Key=result.uploaded[0])
    assert "ServerSideEncryption" not in head or head["ServerSideEncryption"] != "aws:kms"


def test_no_credentials_is_a_clear_error(
    endpoint: Endpoint,
    small_lake: tuple[Path, list[Manifest]],
    prefix: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    root, _ = small_lake
    with pytest.raises(UploadError, match="no AWS credentials"):
        upload_lake(root, BUCKET, prefix, endpoint_url=endpoint.url, region=REGION)


def test_missing_lake_and_lake_without_manifests(tmp_path: Path, endpoint: Endpoint) -> None:
    with pytest.raises(UploadError, match="does not exist"):
        upload_lake(tmp_path / "nowhere", BUCKET, client=endpoint.s3)
    _write(tmp_path / "lake", "claims/ingest_date=2026-11-20/claims.jsonl", b"{}\n")
    with pytest.raises(UploadError, match="no batch manifests"):
        upload_lake(tmp_path / "lake", BUCKET, client=endpoint.s3)


def test_unreadable_manifest_is_named(
    endpoint: Endpoint, small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, manifests = small_lake
    rel = lake.manifest_path(FIRST_DATE, manifests[0].batch_id)
    (root / rel).write_text("{not json", encoding="utf-8")
    with pytest.raises(UploadError, match=f"cannot read manifest {rel}"):
        _upload(endpoint, root, prefix)


# -- encryption by default -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "local"),
    [
        ("http://127.0.0.1:5000", True),
        ("http://127.8.9.10:9000", True),
        ("http://localhost:9000", True),
        ("http://minio.localhost:9000", True),
        ("http://[::1]:9000", True),
        (None, False),
        ("", False),
        ("https://s3.eu-west-1.amazonaws.com", False),
        ("http://10.0.0.5:9000", False),
        ("http://minio.internal:9000", False),
        ("http://localhost.example.com:9000", False),
    ],
)
def test_only_loopback_endpoints_count_as_local(url: str | None, local: bool) -> None:
    assert upload.is_local_endpoint(url) is local


@pytest.mark.parametrize("endpoint_url", [None, "https://s3.example.com", "http://10.0.0.5:9000"])
@pytest.mark.parametrize("key", [None, "", "  "])
def test_upload_without_a_key_is_refused_unless_the_endpoint_is_local(
    tmp_path: Path, endpoint_url: str | None, key: str | None
) -> None:
    # the lake does not even exist: the refusal comes before anything is read or sent
    with pytest.raises(upload.EncryptionRequiredError, match="without a KMS key") as caught:
        upload_lake(tmp_path / "nowhere", BUCKET, kms_key_id=key, endpoint_url=endpoint_url)
    assert isinstance(caught.value, UploadError)
    assert "--kms-key-id" in str(caught.value)


def test_a_given_client_to_aws_without_a_key_is_refused(
    small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, _ = small_lake
    aws = boto3.client("s3", region_name="eu-west-1", **CREDENTIALS)
    with pytest.raises(upload.EncryptionRequiredError, match=r"s3\.eu-west-1\.amazonaws\.com"):
        upload_lake(root, BUCKET, prefix, client=aws)


def test_local_endpoint_without_a_key_uploads_in_clear(
    endpoint: Endpoint, small_lake: tuple[Path, list[Manifest]], prefix: str
) -> None:
    root, _ = small_lake
    result = _upload(endpoint, root, prefix, kms_key_id=None)
    assert len(result.uploaded) == 8
    head = endpoint.s3.head_object(Bucket=BUCKET, Key=result.uploaded[0])
    assert head.get("ServerSideEncryption") != "aws:kms"


def test_cli_refuses_an_upload_without_a_key(
    small_lake: tuple[Path, list[Manifest]], capsys: pytest.CaptureFixture[str]
) -> None:
    from generator.cli import main

    root, _ = small_lake
    assert main(["upload", "--lake", str(root), "--bucket", BUCKET, "--region", REGION]) == 1
    assert "without a KMS key" in capsys.readouterr().err
