"""Upload a landing-lake folder to ``s3://bucket/prefix`` and verify it there.

Every file of the lake keeps its relative path: ``<lake>/claims/ingest_date=.../x.jsonl``
becomes ``<prefix>/claims/ingest_date=.../x.jsonl``. Works with AWS S3 and any
S3-compatible endpoint (``endpoint_url``).

What is sent, and in which order:

1. The local lake is checked against its batch manifests first (size and SHA-256 of every
   listed file). A lake that does not match is refused as a whole with an
   :class:`UploadError` naming the files; nothing is sent.
2. Data files listed in a manifest and the fault reports (``_faults/``) are sent in
   parallel.
3. Only when all of them are in place are the manifests (``_manifests/``) sent, so a reader
   that sees a manifest can trust that its files are there.
4. Every file listed in a manifest (and each manifest) is then checked remotely with a HEAD
   request: size and the stored SHA-256 must match the manifest.

Files that no manifest lists (other than manifests and fault reports) are *not* sent: no
manifest vouches for them, and a loader reading a source folder by pattern would pick them
up. Each one is named in a warning line. Hidden files and folders (names starting with
``.``) are ignored.

Idempotence: each object carries the SHA-256 of its content as user metadata
(``x-amz-meta-sha256``), since with SSE-KMS the ETag is not an MD5 of the content. Before
sending, the object is looked up with HEAD; an object with the same size and SHA-256 (and
SSE-KMS when a key is given) is skipped. An object whose content differs is replaced, with a
warning: lake files are immutable by contract, and a corrected file belongs under a new name.

Each single-part upload also carries its SHA-256 as the S3 checksum (``ChecksumSHA256``),
so S3 refuses bytes that differ from what was checked locally. Files of
:data:`MULTIPART_THRESHOLD` bytes or more go up in parts of :data:`PART_SIZE` bytes, each
with its own SHA-256 checksum.

Encryption is not optional: every object is written with ``ServerSideEncryption=aws:kms``,
the key ``kms_key_id`` and ``BucketKeyEnabled=True``. Without a key the upload is refused
(:class:`EncryptionRequiredError`, before anything is read or sent) unless the S3 endpoint is
named explicitly and is a local one (a loopback address or ``localhost``, e.g. moto or MinIO
on ``http://127.0.0.1:5000``), where KMS may not exist and nothing leaves the machine.
Transient errors are retried by botocore (``standard``
retry mode, ``max_attempts``); other S3 and credential errors become an
:class:`UploadError` naming the bucket and key.

Permissions needed: ``s3:ListBucket`` (the bucket check; without it S3 answers HEAD of a
missing object with 403), ``s3:GetObject`` (HEAD), ``s3:PutObject`` and
``s3:AbortMultipartUpload`` on the prefix, and with SSE-KMS ``kms:GenerateDataKey`` and
``kms:Decrypt`` on the key (multipart uploads and deep verification decrypt).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import ipaddress
import math
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, TypeVar
from urllib.parse import urlsplit

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
)

from generator import lake
from generator.manifest import Manifest, sha256_file

MIB = 1 << 20
MULTIPART_THRESHOLD = 64 * MIB  # files this large or larger are sent in parts
PART_SIZE = 16 * MIB  # size of each part (grown if a file would need more than MAX_PARTS)
MAX_PARTS = 10_000
PROGRESS_EVERY = 50  # a progress line every this many files of a phase ...
PROGRESS_LINES = 20  # ... or fewer, to keep to about this many lines per phase
SHA256_METADATA = "sha256"  # stored as x-amz-meta-sha256
NOT_FOUND = frozenset({"404", "NoSuchKey", "NotFound"})
NO_BUCKET = frozenset({"NoSuchBucket"})
DENIED = frozenset({"403", "AccessDenied", "Forbidden", "AllAccessDisabled"})
BAD_CREDENTIALS = frozenset(
    {"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "InvalidToken"}
)
CONTENT_TYPES = {
    ".csv": "text/csv",
    ".jsonl": "application/x-ndjson",
    ".json": "application/json",
    ".gz": "application/gzip",
}

Progress = Callable[[str], None]
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class UploadResult:
    uploaded: list[str]  # keys sent this run
    skipped: list[str]  # keys already present with identical content (not sent)
    verified: int  # manifest-listed files whose remote object matched their bytes and sha256
    bytes_sent: int


class UploadError(Exception):
    """The lake could not be uploaded or verified; the message says what and where."""


class EncryptionRequiredError(UploadError):
    """An upload without a KMS key to an endpoint that is not named and local."""


@dataclass(frozen=True)
class _LocalFile:
    rel: str  # POSIX path relative to the lake root (and to the key prefix)
    path: Path
    size: int
    sha256: str | None = None  # known once checked against a manifest


@dataclass(frozen=True)
class _Batch:
    rel: str  # the manifest's own path relative to the lake root
    manifest: Manifest


@dataclass(frozen=True)
class _Plan:
    listed: list[_LocalFile]  # data files named by a manifest
    faults: list[_LocalFile]  # fault reports
    manifests: list[_LocalFile]
    unlisted: list[str]  # anything else: left out, with a warning


@dataclass(frozen=True)
class _Outcome:
    key: str
    sent: bool
    size: int
    note: str | None = None  # a warning line for the progress callback


@dataclass(frozen=True)
class _Target:
    key: str
    size: int
    sha256: str
    counts: bool  # a manifest-listed data file (counted in UploadResult.verified)


# -- public API ------------------------------------------------------------------------------
def upload_lake(
    lake_root: Path,
    bucket: str,
    prefix: str = "raw",
    *,
    kms_key_id: str | None = None,
    endpoint_url: str | None = None,
    region: str | None = None,
    workers: int = 8,
    max_attempts: int = 5,
    progress: Progress | None = None,
    client: BaseClient | None = None,
) -> UploadResult:
    """Upload the lake at ``lake_root`` to ``s3://bucket/prefix/`` (see the module docstring).

    ``kms_key_id`` (ARN, id or alias) is the SSE-KMS key; it may be None only when the
    endpoint (``endpoint_url``, or that of ``client``) is named and local, otherwise
    :class:`EncryptionRequiredError` is raised before anything is read. ``client``
    replaces the client built from ``endpoint_url``, ``region`` and
    ``max_attempts`` (its own retry settings then apply). ``progress`` receives one
    human-readable line per event and a final summary line.

    Raises :class:`UploadError` for a missing or inconsistent lake, an unreachable or
    forbidden bucket, missing credentials, a failed upload, or a failed verification.
    """
    started = time.monotonic()
    say = progress or _quiet
    _require_encryption(kms_key_id, client.meta.endpoint_url if client else endpoint_url)
    root = _lake_root(lake_root)
    _check_settings(bucket, workers, max_attempts)
    prefix = _clean_prefix(prefix)
    batches = _load_manifests(root)
    plan = _plan(root, batches)
    for rel in plan.unlisted:
        say(f"warning: {rel} is in no batch manifest; not uploaded")
    s3 = client or make_client(
        endpoint_url=endpoint_url, region=region, max_attempts=max_attempts, workers=workers
    )
    sse = _sse_args(kms_key_id)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="upload") as pool:
        listed = _check_local(root, batches, plan.listed, pool, say)
        _check_bucket(s3, bucket)
        target = f"s3://{bucket}/{prefix + '/' if prefix else ''}"
        payload = listed + plan.faults
        say(
            f"sending {len(listed)} data files and {len(plan.faults)} fault reports "
            f"({_human(sum(f.size for f in payload))}) to {target} with {workers} workers"
        )
        first = _send_all(s3, bucket, prefix, payload, sse, pool, say, "data")
        say(f"sending {len(plan.manifests)} manifests")
        second = _send_all(s3, bucket, prefix, plan.manifests, sse, pool, say, "manifests")
        verified = _verify(s3, bucket, prefix, root, batches, pool, say, deep=False)
        say(f"verified {verified} files against {len(batches)} batch manifests")
    outcomes = first + second
    result = UploadResult(
        uploaded=[o.key for o in outcomes if o.sent],
        skipped=[o.key for o in outcomes if not o.sent],
        verified=verified,
        bytes_sent=sum(o.size for o in outcomes if o.sent),
    )
    say(
        f"upload done: {len(result.uploaded)} files sent, {len(result.skipped)} unchanged, "
        f"{_human(result.bytes_sent)} sent, {result.verified} verified, "
        f"{time.monotonic() - started:.1f} s"
    )
    return result


def verify_remote(
    lake_root: Path,
    bucket: str,
    prefix: str = "raw",
    client: BaseClient | None = None,
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    workers: int = 8,
    deep: bool = False,
    progress: Progress | None = None,
) -> int:
    """Check ``s3://bucket/prefix/`` against the batch manifests of the lake at ``lake_root``.

    Every file listed in a manifest, and every manifest, must exist remotely with the listed
    size and SHA-256 (the ``sha256`` metadata; with ``deep`` the object is also downloaded
    and hashed). Returns how many manifest-listed files matched; raises
    :class:`UploadError` listing every mismatch otherwise.
    """
    root = _lake_root(lake_root)
    _check_settings(bucket, workers, 1)
    prefix = _clean_prefix(prefix)
    batches = _load_manifests(root)
    s3 = client or make_client(endpoint_url=endpoint_url, region=region, workers=workers)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="verify") as pool:
        _check_bucket(s3, bucket)
        return _verify(s3, bucket, prefix, root, batches, pool, progress or _quiet, deep=deep)


def make_client(
    *,
    endpoint_url: str | None = None,
    region: str | None = None,
    max_attempts: int = 5,
    workers: int = 8,
) -> BaseClient:
    """An S3 client with standard retries and a connection pool sized for ``workers``."""
    config = Config(
        retries={"max_attempts": max_attempts, "mode": "standard"},
        max_pool_connections=max(10, workers + 2),
        connect_timeout=10,
        read_timeout=120,
    )
    try:
        return boto3.session.Session().client(
            "s3", endpoint_url=endpoint_url, region_name=region, config=config
        )
    except (BotoCoreError, ValueError) as exc:
        raise UploadError(f"cannot create an S3 client: {exc}") from exc


# -- encryption ------------------------------------------------------------------------------
def is_local_endpoint(endpoint_url: str | None) -> bool:
    """True for an explicitly named endpoint on this machine (loopback address or localhost)."""
    if not endpoint_url:
        return False
    host = urlsplit(endpoint_url).hostname
    if not host:
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _require_encryption(kms_key_id: str | None, endpoint_url: str | None) -> None:
    if kms_key_id and kms_key_id.strip():
        return
    if is_local_endpoint(endpoint_url):
        return
    where = f"endpoint {endpoint_url}" if endpoint_url else "AWS S3 (no endpoint named)"
    raise EncryptionRequiredError(
        f"refusing to upload to {where} without a KMS key: the lake holds personal data and "
        "is written with SSE-KMS only (give --kms-key-id, the terraform output kms_key_arn); "
        "unencrypted uploads are allowed only to a local endpoint named with --endpoint-url "
        "(localhost or a loopback address)"
    )


# -- the local lake --------------------------------------------------------------------------
def _lake_root(lake_root: Path) -> Path:
    root = Path(lake_root)
    if not root.exists():
        raise UploadError(f"lake folder {root} does not exist")
    if not root.is_dir():
        raise UploadError(f"lake folder {root} is not a folder")
    return root


def _check_settings(bucket: str, workers: int, max_attempts: int) -> None:
    if not bucket or "/" in bucket:
        raise UploadError(f"invalid bucket name {bucket!r} (a name, without s3:// or a path)")
    if workers < 1:
        raise UploadError(f"workers must be at least 1, not {workers}")
    if max_attempts < 1:
        raise UploadError(f"max_attempts must be at least 1, not {max_attempts}")


def _clean_prefix(prefix: str) -> str:
    cleaned = prefix.strip("/")
    if cleaned and any(part in ("", ".", "..") for part in cleaned.split("/")):
        raise UploadError(f"invalid key prefix {prefix!r}")
    return cleaned


def _key(prefix: str, rel: str) -> str:
    return f"{prefix}/{rel}" if prefix else rel


def _load_manifests(root: Path) -> list[_Batch]:
    """Every batch manifest of the lake, in batch order; at least one."""
    paths = sorted((root / lake.MANIFEST_DIR).glob("ingest_date=*/*.json"))
    if not paths:
        raise UploadError(
            f"{root} has no batch manifests under {lake.MANIFEST_DIR}/ingest_date=*/; "
            "is it a lake folder?"
        )
    batches = [_read_manifest(root, path) for path in paths]
    return sorted(batches, key=lambda b: (b.manifest.ingest_date, b.manifest.batch_number))


def _read_manifest(root: Path, path: Path) -> _Batch:
    rel = path.relative_to(root).as_posix()
    try:
        manifest = Manifest.from_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise UploadError(f"cannot read manifest {rel}: {exc}") from exc
    for entry in manifest.files:
        _check_listed_path(entry.path, rel)
    return _Batch(rel, manifest)


def _check_listed_path(path: str, manifest_rel: str) -> None:
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or "\\" in path or ".." in parts:
        raise UploadError(f"manifest {manifest_rel} lists an invalid path {path!r}")
    if parts[0] in (lake.MANIFEST_DIR, lake.FAULTS_DIR):
        raise UploadError(f"manifest {manifest_rel} lists {path!r}, which is not a data file")


def _local_files(root: Path) -> Iterator[tuple[str, Path]]:
    """(relative POSIX path, path) of every regular, non-hidden file under the lake root."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        yield rel.as_posix(), path


def _plan(root: Path, batches: list[_Batch]) -> _Plan:
    listed_paths = {entry.path for b in batches for entry in b.manifest.files}
    manifest_paths = {b.rel for b in batches}
    listed: list[_LocalFile] = []
    faults: list[_LocalFile] = []
    manifests: list[_LocalFile] = []
    unlisted: list[str] = []
    for rel, path in _local_files(root):
        local = _LocalFile(rel, path, path.stat().st_size)
        if rel in manifest_paths:
            manifests.append(local)
        elif rel in listed_paths:
            listed.append(local)
        elif rel.startswith(f"{lake.FAULTS_DIR}/"):
            faults.append(local)
        else:
            unlisted.append(rel)
    order = {b.rel: i for i, b in enumerate(batches)}
    manifests.sort(key=lambda f: order[f.rel])
    return _Plan(listed, faults, manifests, unlisted)


def _check_local(
    root: Path,
    batches: list[_Batch],
    files: list[_LocalFile],
    pool: ThreadPoolExecutor,
    say: Progress,
) -> list[_LocalFile]:
    """The listed files with their SHA-256, or UploadError if any differs from its manifest."""
    say(f"checking {len(files)} files against {len(batches)} batch manifests")
    hashed = dict(
        zip(
            [f.rel for f in files],
            _run(pool, lambda f: _hash(f.path), files, say, "checked"),
            strict=True,
        )
    )
    sizes = {f.rel: f.size for f in files}
    problems: list[str] = []
    for batch in batches:
        name = batch.manifest.batch_id
        for entry in batch.manifest.files:
            if entry.path not in hashed:
                problems.append(f"{entry.path}: listed in {name}'s manifest, missing locally")
            elif sizes[entry.path] != entry.bytes:
                problems.append(
                    f"{entry.path}: {sizes[entry.path]} bytes, {name}'s manifest says {entry.bytes}"
                )
            elif hashed[entry.path] != entry.sha256:
                problems.append(
                    f"{entry.path}: SHA-256 {hashed[entry.path][:12]}... differs from "
                    f"{name}'s manifest ({entry.sha256[:12]}...)"
                )
    if problems:
        raise UploadError(
            f"the lake at {root} does not match its manifests; nothing was uploaded:\n"
            + _listing(problems)
        )
    say(f"{len(files)} listed files match their manifests")
    return [_LocalFile(f.rel, f.path, f.size, hashed[f.rel]) for f in files]


def _hash(path: Path) -> str:
    try:
        return sha256_file(path)
    except OSError as exc:
        raise UploadError(f"cannot read {path}: {exc}") from exc


# -- sending ---------------------------------------------------------------------------------
def _sse_args(kms_key_id: str | None) -> dict[str, Any]:
    if not kms_key_id:
        return {}
    return {"ServerSideEncryption": "aws:kms", "SSEKMSKeyId": kms_key_id, "BucketKeyEnabled": True}


def _send_all(
    s3: BaseClient,
    bucket: str,
    prefix: str,
    files: list[_LocalFile],
    sse: dict[str, Any],
    pool: ThreadPoolExecutor,
    say: Progress,
    label: str,
) -> list[_Outcome]:
    def send(f: _LocalFile) -> _Outcome:
        return _send_file(s3, bucket, _key(prefix, f.rel), f, sse)

    outcomes = _run(pool, send, files, say, f"{label} done", notes=lambda o: o.note)
    sent = sum(o.sent for o in outcomes)
    say(f"{label}: {sent} sent, {len(outcomes) - sent} unchanged")
    return sorted(outcomes, key=lambda o: o.key)


def _send_file(
    s3: BaseClient, bucket: str, key: str, local: _LocalFile, sse: dict[str, Any]
) -> _Outcome:
    sha = local.sha256 or _hash(local.path)
    remote = _head(s3, bucket, key)
    reason = _difference(remote, local.size, sha, bool(sse))
    if reason is None:
        return _Outcome(key, sent=False, size=local.size)
    extra = {
        "ContentType": _content_type(local.rel),
        "Metadata": {SHA256_METADATA: sha},
        **sse,
    }
    if local.size >= MULTIPART_THRESHOLD:
        _put_parts(s3, bucket, key, local.path, sha, extra)
    else:
        _put_single(s3, bucket, key, local.path, sha, extra)
    return _Outcome(key, sent=True, size=local.size, note=_replace_note(key, remote, reason))


def _difference(remote: dict[str, Any] | None, size: int, sha: str, kms: bool) -> str | None:
    """Why the remote object must be (re)sent, or None if it already holds this file."""
    if remote is None:
        return "absent"
    stored = remote.get("Metadata", {}).get(SHA256_METADATA)
    if stored is None:
        return "no sha256 metadata"
    if stored != sha or remote.get("ContentLength") != size:
        return "content differs"
    if kms and remote.get("ServerSideEncryption") != "aws:kms":
        return "not SSE-KMS encrypted"
    return None


def _replace_note(key: str, remote: dict[str, Any] | None, reason: str) -> str | None:
    if remote is None:
        return None
    if reason == "content differs":
        return (
            f"warning: {key} already exists with different content; replaced it "
            "(lake files are immutable by contract: a corrected file needs a new name)"
        )
    return f"warning: {key} already exists ({reason}); sent it again"


def _content_type(rel: str) -> str:
    return CONTENT_TYPES.get(PurePosixPath(rel).suffix, "application/octet-stream")


def _b64(hex_digest: str) -> str:
    return base64.b64encode(bytes.fromhex(hex_digest)).decode("ascii")


def _put_single(
    s3: BaseClient, bucket: str, key: str, path: Path, sha: str, extra: dict[str, Any]
) -> None:
    with _opened(path) as body, _s3_errors("upload", bucket, key):
        s3.put_object(Bucket=bucket, Key=key, Body=body, ChecksumSHA256=_b64(sha), **extra)


def _put_parts(
    s3: BaseClient, bucket: str, key: str, path: Path, sha: str, extra: dict[str, Any]
) -> None:
    """A multipart upload, aborted on any failure so no orphan parts are left behind."""
    with _s3_errors("start a multipart upload of", bucket, key):
        upload_id = s3.create_multipart_upload(
            Bucket=bucket, Key=key, ChecksumAlgorithm="SHA256", **extra
        )["UploadId"]
    try:
        parts = _send_parts(s3, bucket, key, path, sha, upload_id)
        with _s3_errors("complete the multipart upload of", bucket, key):
            s3.complete_multipart_upload(
                Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}
            )
    except BaseException:
        with contextlib.suppress(ClientError, BotoCoreError):
            s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)
        raise


def _send_parts(
    s3: BaseClient, bucket: str, key: str, path: Path, sha: str, upload_id: str
) -> list[dict[str, Any]]:
    size = path.stat().st_size
    part_size = max(PART_SIZE, math.ceil(size / MAX_PARTS))
    whole = hashlib.sha256()
    parts: list[dict[str, Any]] = []
    with _opened(path) as handle:
        while chunk := handle.read(part_size):
            whole.update(chunk)
            number = len(parts) + 1
            checksum = base64.b64encode(hashlib.sha256(chunk).digest()).decode("ascii")
            with _s3_errors(f"upload part {number} of", bucket, key):
                response = s3.upload_part(
                    Bucket=bucket,
                    Key=key,
                    UploadId=upload_id,
                    PartNumber=number,
                    Body=chunk,
                    ChecksumSHA256=checksum,
                )
            parts.append(
                {"ETag": response["ETag"], "PartNumber": number, "ChecksumSHA256": checksum}
            )
    if whole.hexdigest() != sha:
        raise UploadError(f"{path} changed while it was being uploaded; upload abandoned")
    return parts


@contextlib.contextmanager
def _opened(path: Path) -> Iterator[Any]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise UploadError(f"cannot read {path}: {exc}") from exc
    with handle:
        yield handle


# -- S3 lookups and errors -------------------------------------------------------------------
def _check_bucket(s3: BaseClient, bucket: str) -> None:
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as exc:
        code = _code(exc)
        if code in NOT_FOUND or code in NO_BUCKET:
            raise UploadError(
                f"bucket {bucket!r} not found (s3://{bucket}); check the name, the account "
                "and the endpoint"
            ) from exc
        raise _translate(exc, "reach", bucket, None) from exc
    except (BotoCoreError, ValueError) as exc:
        raise _translate_botocore(exc, "reach", bucket, None) from exc


def _head(s3: BaseClient, bucket: str, key: str) -> dict[str, Any] | None:
    """The object's HEAD response, or None if there is no such object."""
    try:
        return s3.head_object(Bucket=bucket, Key=key)
    except ClientError as exc:
        if _code(exc) in NOT_FOUND:
            return None
        raise _translate(exc, "look up", bucket, key) from exc
    except BotoCoreError as exc:
        raise _translate_botocore(exc, "look up", bucket, key) from exc


@contextlib.contextmanager
def _s3_errors(action: str, bucket: str, key: str | None) -> Iterator[None]:
    """Turn botocore errors raised inside the block into an UploadError."""
    try:
        yield
    except ClientError as exc:
        raise _translate(exc, action, bucket, key) from exc
    except BotoCoreError as exc:
        raise _translate_botocore(exc, action, bucket, key) from exc


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _where(bucket: str, key: str | None) -> str:
    return f"s3://{bucket}/{key}" if key else f"s3://{bucket}"


def _translate(exc: ClientError, action: str, bucket: str, key: str | None) -> UploadError:
    code = _code(exc)
    message = exc.response.get("Error", {}).get("Message", "") or str(exc)
    where = _where(bucket, key)
    if code in NO_BUCKET:
        return UploadError(f"bucket {bucket!r} not found (while trying to {action} {where})")
    if code in DENIED:
        return UploadError(
            f"access denied: cannot {action} {where} ({message}); check the credentials, the "
            "bucket policy and, for SSE-KMS, the KMS key"
        )
    if code in BAD_CREDENTIALS:
        return UploadError(f"the credentials were rejected ({code}) trying to {action} {where}")
    if code.startswith("KMS.") or "kms" in message.lower():
        return UploadError(f"KMS error trying to {action} {where}: {code}: {message}")
    if code in ("301", "PermanentRedirect", "AuthorizationHeaderMalformed"):
        return UploadError(f"bucket {bucket!r} is in another region ({code}); pass its region")
    return UploadError(f"cannot {action} {where}: {code or 'error'}: {message}")


def _translate_botocore(
    exc: BotoCoreError | ValueError, action: str, bucket: str, key: str | None
) -> UploadError:
    if isinstance(exc, (NoCredentialsError, PartialCredentialsError)):
        return UploadError(
            "no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY, or run with a role"
        )
    if isinstance(exc, EndpointConnectionError):
        return UploadError(f"cannot reach the S3 endpoint to {action} {_where(bucket, key)}: {exc}")
    return UploadError(f"cannot {action} {_where(bucket, key)}: {exc}")


# -- verification ----------------------------------------------------------------------------
def _verify(
    s3: BaseClient,
    bucket: str,
    prefix: str,
    root: Path,
    batches: list[_Batch],
    pool: ThreadPoolExecutor,
    say: Progress,
    *,
    deep: bool,
) -> int:
    targets = _targets(root, prefix, batches)
    say(f"verifying {len(targets)} objects against the manifests" + (" (deep)" if deep else ""))

    def check(target: _Target) -> str | None:
        return _check_remote(s3, bucket, target, deep=deep)

    results = _run(pool, check, targets, say, "verified")
    problems = [p for p in results if p is not None]
    if problems:
        raise UploadError(
            f"verification of {_where(bucket, prefix)} against the manifests failed for "
            f"{len(problems)} of {len(targets)} objects:\n" + _listing(problems)
        )
    return sum(t.counts for t in targets)


def _targets(root: Path, prefix: str, batches: list[_Batch]) -> list[_Target]:
    targets = [
        _Target(_key(prefix, e.path), e.bytes, e.sha256, counts=True)
        for b in batches
        for e in b.manifest.files
    ]
    for b in batches:
        path = root / b.rel
        targets.append(_Target(_key(prefix, b.rel), path.stat().st_size, _hash(path), counts=False))
    return targets


def _check_remote(s3: BaseClient, bucket: str, target: _Target, *, deep: bool) -> str | None:
    """What is wrong with one remote object, or None."""
    remote = _head(s3, bucket, target.key)
    if remote is None:
        return f"{target.key}: missing"
    if remote.get("ContentLength") != target.size:
        return f"{target.key}: {remote.get('ContentLength')} bytes, expected {target.size}"
    stored = remote.get("Metadata", {}).get(SHA256_METADATA)
    if stored is None:
        return f"{target.key}: no sha256 metadata (not written by this uploader?)"
    if stored != target.sha256:
        return f"{target.key}: sha256 metadata {stored[:12]}... differs from the manifest"
    if deep:
        actual = _remote_sha256(s3, bucket, target.key)
        if actual != target.sha256:
            return f"{target.key}: content SHA-256 {actual[:12]}... differs from the manifest"
    return None


def _remote_sha256(s3: BaseClient, bucket: str, key: str) -> str:
    digest = hashlib.sha256()
    with _s3_errors("download", bucket, key):
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
        for chunk in body.iter_chunks(MIB):
            digest.update(chunk)
    return digest.hexdigest()


# -- helpers ---------------------------------------------------------------------------------
def _run(
    pool: ThreadPoolExecutor,
    fn: Callable[[T], R],
    items: Iterable[T],
    say: Progress,
    label: str,
    *,
    notes: Callable[[R], str | None] | None = None,
) -> list[R]:
    """``fn`` over ``items`` in the pool, results in input order.

    A progress line every ``step`` items (each phase prints its own summary). On the first
    UploadError the items not yet started are cancelled, those under way are waited for,
    and the error is raised (with the count of any other failures).
    """
    futures: list[Future[R]] = [pool.submit(fn, item) for item in items]
    index = {future: i for i, future in enumerate(futures)}
    results: list[R | None] = [None] * len(futures)
    errors: list[UploadError] = []
    total = len(futures)
    step = max(PROGRESS_EVERY, math.ceil(total / PROGRESS_LINES))
    done = 0
    try:
        for future in as_completed(futures):
            if future.cancelled():
                continue
            try:
                result = future.result()
            except UploadError as exc:
                errors.append(exc)
                _cancel(futures)
                continue
            results[index[future]] = result
            done += 1
            note = notes(result) if notes else None
            if note:
                say(note)
            if not errors and done % step == 0 and done < total:
                say(f"  {label} {done}/{total}")
    finally:
        _cancel(futures)
    if errors:
        more = f" (and {len(errors) - 1} more failures)" if len(errors) > 1 else ""
        raise UploadError(f"{errors[0]}{more}") from errors[0]
    return results  # type: ignore[return-value]


def _cancel(futures: list[Future[Any]]) -> None:
    for future in futures:
        future.cancel()


def _listing(problems: list[str], limit: int = 20) -> str:
    lines = [f"  {p}" for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"  ... and {len(problems) - limit} more")
    return "\n".join(lines)


def _human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"


def _quiet(_line: str) -> None:
    return None


__all__ = [
    "EncryptionRequiredError",
    "UploadError",
    "UploadResult",
    "is_local_endpoint",
    "make_client",
    "upload_lake",
    "verify_remote",
]
