"""An independent reader of a landing lake, written from the source contract alone.

It re-derives, file by file and record by record, every fault the contract names and
checks each file against the contract (names, columns, types, layout). The tests compare
what it finds with what the generator says it injected. It deliberately shares no code
with the generator beyond the manifest format.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

CSV_COLUMNS = {
    "insureds": [
        "insured_id",
        "insured_type",
        "full_name",
        "email",
        "phone",
        "date_of_birth",
        "industry",
        "address_line",
        "city",
        "region",
        "postal_code",
        "country_code",
        "annual_revenue_usd",
        "risk_rating",
        "record_status",
        "created_at",
        "updated_at",
    ],
    "reinsurance_treaties": [
        "treaty_id",
        "treaty_name",
        "reinsurer_name",
        "reinsurer_rating",
        "treaty_type",
        "line_code",
        "inception_date",
        "expiry_date",
        "currency",
        "cession_pct",
        "retention_amount",
        "limit_amount",
        "premium_rate_pct",
        "commission_pct",
        "record_status",
        "updated_at",
    ],
    "specialty_lines": [
        "line_code",
        "line_name",
        "line_group",
        "is_active",
        "record_status",
        "updated_at",
    ],
}
JSON_KEYS = {
    "policies": {
        "policy_id",
        "policy_number",
        "insured_id",
        "line_code",
        "treaty_ids",
        "status",
        "inception_date",
        "expiry_date",
        "currency",
        "premium",
        "effective_date",
        "sum_insured",
        "deductible",
        "coverages",
        "underwriter",
        "broker",
        "record_status",
        "version",
        "updated_at",
    },
    "claims": {
        "claim_id",
        "policy_id",
        "loss_date",
        "reported_date",
        "status",
        "cause_of_loss",
        "loss_location",
        "currency",
        "amounts",
        "adjuster",
        "record_status",
        "updated_at",
    },
}
KEY_FIELD = {
    "insureds": "insured_id",
    "reinsurance_treaties": "treaty_id",
    "specialty_lines": "line_code",
    "policies": "policy_id",
    "claims": "claim_id",
}
ID_PATTERN = {
    "insured_id": re.compile(r"^INS-\d{7}$"),
    "treaty_id": re.compile(r"^TRT-\d{4}$"),
    "policy_id": re.compile(r"^POL-\d{8}$"),
    "claim_id": re.compile(r"^CLM-\d{9}$"),
}
FILE_NAME = re.compile(
    r"^(?P<source>[a-z_]+)/ingest_date=(?P<date>\d{4}-\d{2}-\d{2})/"
    r"(?P=source)_(?P<stamp>\d{8}T\d{6}Z)_(?P<seq>\d{4})\.(?P<ext>csv|jsonl)(?:\.gz)?$"
)
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
CSV_TYPES = {
    "insureds": {
        "date_of_birth": "date?",
        "annual_revenue_usd": "money?",
        "created_at": "ts",
        "updated_at": "ts",
    },
    "reinsurance_treaties": {
        "inception_date": "date",
        "expiry_date": "date",
        "cession_pct": "money?",
        "retention_amount": "money?",
        "limit_amount": "money?",
        "premium_rate_pct": "money?",
        "commission_pct": "money?",
        "updated_at": "ts",
    },
    "specialty_lines": {"is_active": "bool", "updated_at": "ts"},
}


class Unparsable(ValueError):
    pass


def _date(text: object) -> dt.date:
    if not isinstance(text, str) or not DATE.match(text):
        raise Unparsable(text)
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise Unparsable(text) from exc


def _ts(text: object) -> dt.datetime:
    if not isinstance(text, str) or not TIMESTAMP.match(text):
        raise Unparsable(text)
    try:
        return dt.datetime.fromisoformat(text[:-1])
    except ValueError as exc:
        raise Unparsable(text) from exc


def _money(value: object) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, str) and MONEY.match(value):
        return Decimal(value)
    raise Unparsable(value)


def _typed_csv(source: str, row: dict[str, str]) -> dict[str, object]:
    out: dict[str, object] = dict(row)
    for name, kind in CSV_TYPES[source].items():
        value = row[name]
        optional = kind.endswith("?")
        kind = kind.rstrip("?")
        if optional and value == "":
            out[name] = None
            continue
        if kind == "date":
            out[name] = _date(value)
        elif kind == "ts":
            out[name] = _ts(value)
        elif kind == "money":
            out[name] = _money(value)
        elif kind == "bool":
            if value not in ("true", "false"):
                raise Unparsable(value)
            out[name] = value == "true"
    return out


def _typed_json(source: str, rec: dict) -> dict[str, object]:
    out = dict(rec)
    if source == "policies":
        for name in ("inception_date", "expiry_date", "effective_date"):
            out[name] = _date(rec[name])
        for name in ("sum_insured", "deductible"):
            out[name] = _money(rec[name])
        out["gross_written"] = _money(rec["premium"]["gross_written"])
    else:
        out["loss_date"] = _date(rec["loss_date"])
        out["reported_date"] = _date(rec["reported_date"])
        for name in ("paid", "reserve", "recovered"):
            out[name] = _money(rec["amounts"][name])
    out["updated_at"] = _ts(rec["updated_at"])
    return out


@dataclass
class Finding:
    batch: int
    kind: str
    source: str
    file: str
    record: int


@dataclass
class LakeReading:
    findings: list[Finding] = field(default_factory=list)
    contract_errors: list[str] = field(default_factory=list)
    # every accepted (typed) record, in delivery order, with where it came from
    accepted: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    rows_read: Counter = field(default_factory=Counter)  # (batch, source) -> data rows
    redelivered: dict[str, str] = field(default_factory=dict)  # copy's path -> original's

    def counts(self, batch: int) -> dict[tuple[str, str], int]:
        return dict(Counter((f.source, f.kind) for f in self.findings if f.batch == batch))


def read_lake(root: Path) -> LakeReading:
    reading = LakeReading()
    manifests = sorted(
        (json.loads(p.read_text()) for p in root.glob("_manifests/ingest_date=*/*.json")),
        key=lambda m: m["ingest_date"],
    )
    seen_files: dict[tuple[str, str], str] = {}
    seen_lines: set[bytes] = set()
    latest: dict[tuple[str, str], dt.datetime] = {}
    known: dict[str, set[str]] = defaultdict(set)
    inception: dict[str, dt.date] = {}
    for m in manifests:
        batch = m["batch_number"]
        files = sorted(m["files"], key=lambda f: f["path"])
        order = ["specialty_lines", "reinsurance_treaties", "insureds", "policies", "claims"]
        files.sort(key=lambda f: (order.index(f["source"]), f["path"]))
        # A batch's parents are known to its children whatever the order of its files.
        batch_records: list[tuple[str, str, int, dict]] = []
        for entry in files:
            path = root / entry["path"]
            match = FILE_NAME.match(entry["path"])
            source = entry["source"]
            if not match or match["source"] != source or match["date"] != m["ingest_date"]:
                reading.contract_errors.append(f"{entry['path']}: name does not fit the layout")
                continue
            expected_ext = "csv" if source in CSV_COLUMNS else "jsonl"
            if match["ext"] != expected_ext:
                reading.contract_errors.append(f"{entry['path']}: wrong extension")
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                reading.contract_errors.append(f"{entry['path']}: sha256 differs from manifest")
            if entry["path"].endswith(".gz"):
                import gzip

                data = gzip.decompress(data)
            lines = data.split(b"\n")
            if lines and lines[-1] == b"":
                lines.pop()
            if source in CSV_COLUMNS:
                if not lines or lines[0].decode() != ",".join(CSV_COLUMNS[source]):
                    reading.contract_errors.append(f"{entry['path']}: header is not the contract's")
                lines = lines[1:]
            if len(lines) != entry["rows"]:
                reading.contract_errors.append(
                    f"{entry['path']}: {len(lines)} rows, manifest says {entry['rows']}"
                )
            reading.rows_read[(batch, source)] += len(lines)
            digest = hashlib.sha256(b"\n".join(lines)).hexdigest()
            if not lines:
                reading.findings.append(Finding(batch, "empty_file", source, entry["path"], 0))
                continue
            if (source, digest) in seen_files:
                reading.findings.append(
                    Finding(batch, "redelivered_file", source, entry["path"], 0)
                )
                reading.redelivered[entry["path"]] = seen_files[(source, digest)]
                continue
            seen_files[(source, digest)] = entry["path"]
            drifted = False
            for number, raw in enumerate(lines, start=1):

                def found(
                    kind: str,
                    number: int = number,
                    entry: dict = entry,
                    batch: int = batch,
                    source: str = source,
                ) -> None:
                    reading.findings.append(Finding(batch, kind, source, entry["path"], number))

                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    found("non_utf8")
                    continue
                if source in CSV_COLUMNS:
                    values = next(csv.reader([text]))
                    if len(values) != len(CSV_COLUMNS[source]):
                        found("malformed")
                        continue
                    try:
                        rec = _typed_csv(
                            source, dict(zip(CSV_COLUMNS[source], values, strict=True))
                        )
                    except Unparsable:
                        found("unparsable_value")
                        continue
                else:
                    try:
                        obj = json.loads(text, parse_float=Decimal)
                    except json.JSONDecodeError:
                        found("malformed")
                        continue
                    if not isinstance(obj, dict) or not JSON_KEYS[source] <= obj.keys():
                        found("malformed")
                        continue
                    if obj.keys() - JSON_KEYS[source]:
                        drifted = True
                    try:
                        rec = _typed_json(source, obj)
                    except Unparsable:
                        found("unparsable_value")
                        continue
                if raw in seen_lines:
                    found("duplicate")
                    continue
                seen_lines.add(raw)
                key = rec[KEY_FIELD[source]]
                if (source, key) in latest and rec["updated_at"] < latest[(source, key)]:
                    found("out_of_order")
                else:
                    latest[(source, key)] = rec["updated_at"]
                rec["_file"], rec["_record"], rec["_batch"] = entry["path"], number, batch
                batch_records.append((source, entry["path"], number, rec))
            if drifted:
                reading.findings.append(Finding(batch, "schema_drift", source, entry["path"], 0))
        for source, _path, _number, rec in batch_records:
            known[source].add(rec[KEY_FIELD[source]])
            if source == "policies":
                inception[rec["policy_id"]] = rec["inception_date"]
        for source, path, number, rec in batch_records:
            reading.accepted[source].append(rec)
            kind = _business_or_orphan(source, rec, known, inception)
            if kind:
                reading.findings.append(Finding(batch, kind, source, path, number))
    # schema drift is reported once per source and batch
    unique: dict[tuple, Finding] = {}
    for f in reading.findings:
        k = (
            (f.batch, f.kind, f.source)
            if f.kind == "schema_drift"
            else (f.batch, f.kind, f.source, f.file, f.record)
        )
        unique.setdefault(k, f)
    reading.findings = list(unique.values())
    return reading


def _business_or_orphan(
    source: str, rec: dict, known: dict[str, set[str]], inception: dict[str, dt.date]
) -> str | None:
    if source == "policies":
        if rec["insured_id"] not in known["insureds"]:
            return "orphan_reference"
        if rec["line_code"] not in known["specialty_lines"]:
            return "orphan_reference"
        if any(t not in known["reinsurance_treaties"] for t in rec["treaty_ids"]):
            return "orphan_reference"
    if source == "claims":
        if rec["policy_id"] not in known["policies"]:
            return "orphan_reference"
        if min(rec["paid"], rec["reserve"], rec["recovered"]) < 0:
            return "business_rule"
        if rec["loss_date"] < inception[rec["policy_id"]]:
            return "business_rule"
        if rec["reported_date"] < rec["loss_date"]:
            return "business_rule"
    return None
