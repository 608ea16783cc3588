"""Generate the landing lake: every batch of the five sources, their manifests and the
fault reports, streamed chunk by chunk so memory does not grow with scale."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing as mp
import os
import shutil
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from generator import faults as fx
from generator import lake, records
from generator.config import GeneratorConfig
from generator.manifest import Manifest, ManifestFile
from generator.sink import SourceSink, encode
from generator.world import (
    MAX_CLAIM_VERSIONS,
    MAX_CLAIMS_PER_POLICY,
    MAX_POLICY_VERSIONS,
    Frame,
    World,
    take,
)

POLICY_CHUNK = 20_000
INSURED_CHUNK = 50_000
CLONE_BASE = 80_000_000  # policy index offset of late-arriving parents (POL-8…)
KMAX = {
    "insureds": 8,
    "reinsurance_treaties": 3,
    "specialty_lines": 2,
    "policies": MAX_POLICY_VERSIONS,
    "claims": MAX_CLAIM_VERSIONS,
}
PARENT_SOURCES = frozenset({"insureds", "reinsurance_treaties", "specialty_lines", "policies"})
ENTITY_PREFIX = {
    "insureds": "INS",
    "reinsurance_treaties": "TRT",
    "specialty_lines": "LINE",
    "policies": "POL",
    "claims": "CLM",
}

Progress = Callable[[str], None]


@dataclass
class FaultEntry:
    kind: str
    source: str
    file: str
    record: int
    key: str
    detail: str
    resolves_in_batch: int | None = None


@dataclass
class BatchReport:
    batch_id: str
    batch_number: int
    ingest_date: str
    records: dict[str, int] = field(default_factory=dict)
    faults: list[FaultEntry] = field(default_factory=list)
    file_faults: list[dict[str, str]] = field(default_factory=list)
    schema_drift: dict[str, str] = field(default_factory=dict)

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, Counter[str]] = {s: Counter() for s in lake.SOURCES}
        for f in self.faults:
            out[f.source][f.kind] += 1
        for f in self.file_faults:
            out[f["source"]][f["kind"]] += 1
        for s in self.schema_drift:
            out[s][fx.FaultKind.SCHEMA_DRIFT] += 1
        return {s: dict(sorted(c.items())) for s, c in out.items()}

    def to_json(self) -> str:
        body = {
            "batch_id": self.batch_id,
            "batch_number": self.batch_number,
            "ingest_date": self.ingest_date,
            "records": self.records,
            "file_faults": self.file_faults,
            "schema_drift": self.schema_drift,
            "counts": self.counts(),
            "faults": [
                f.__dict__ for f in sorted(self.faults, key=lambda f: (f.file, f.record, f.kind))
            ],
        }
        return json.dumps(body, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


@dataclass
class Plan:
    """Where and how each version row of a chunk is delivered."""

    frame: Frame
    batch: np.ndarray  # batch that delivers the row (n = never)
    fault: np.ndarray
    variant: np.ndarray
    dup_batch: np.ndarray
    late: np.ndarray  # an out-of-order row, written after the newer version
    newer_ts: np.ndarray  # for out-of-order rows: the newer version's updated_at


def plan_rows(world: World, source: str, frame: Frame) -> Plan:
    cfg = world.cfg
    nb = cfg.batches
    n = len(frame["entity"])
    row_id = frame["entity"].astype(np.int64) * KMAX[source] + frame["version"] - 1
    batch = world.deliver_batch(frame["updated_at"])
    fault = fx.assign(world.rand, cfg.faults, source, row_id)
    fault = np.where(batch < nb, fault, fx.NONE)
    if source in PARENT_SOURCES:
        # A parent's first version is never spoiled, so that spoiling does not orphan its
        # children as a side effect; later versions may be.
        first = frame["version"] == 1
        fault = np.where(first & np.isin(fault, fx.SPOILING), fx.NONE, fault)
    variant = fx.variant(world.rand, source, row_id, 6)
    late = np.zeros(n, bool)
    newer_ts = np.zeros(n, np.int64)

    # Out of order: defer a version until after its successor has been delivered.
    if n:
        same_next = np.zeros(n, bool)
        same_next[:-1] = frame["entity"][1:] == frame["entity"][:-1]
        succ_batch = np.full(n, nb)
        succ_fault = np.full(n, fx.RecordFault.DUPLICATE)
        succ_batch[:-1] = np.where(same_next[:-1], batch[1:], nb)
        succ_fault[:-1] = np.where(same_next[:-1], fault[1:], fx.RecordFault.DUPLICATE)
        ooo = fault == fx.RecordFault.OUT_OF_ORDER
        ok = ooo & same_next & (succ_batch < nb) & (succ_fault == fx.NONE)
        fault = np.where(ooo & ~ok, fx.NONE, fault)
        batch = np.where(ok, np.minimum(succ_batch + 1, nb - 1), batch)
        late = ok
        newer_ts[:-1] = np.where(ok[:-1], frame["updated_at"][1:], 0)
    dup_batch = np.where(
        (fault == fx.RecordFault.DUPLICATE) & (variant % 2 == 1) & (batch + 1 < nb),
        batch + 1,
        batch,
    )
    return Plan(frame, batch, fault, variant, dup_batch, late, newer_ts)


def _mixed_drift(cols: records.Columns, drift: np.ndarray) -> list[str]:
    """JSON lines where only the rows flagged in ``drift`` carry the drift field."""
    lines: list[str] = [""] * len(drift)
    for flag, part in ((False, cols[:-1]), (True, cols)):
        rows = np.flatnonzero(drift == flag).tolist()
        picked = [(name, [values[i] for i in rows]) for name, values in part]
        for i, line in zip(rows, records.json_lines(picked), strict=True):
            lines[i] = line
    return lines


def _key(source: str, entity: int) -> str:
    if source == "specialty_lines":
        return records.LINES[entity].code
    if source == "reinsurance_treaties":
        return records.treaty_id(entity)
    width = {"insureds": 7, "policies": 8, "claims": 9}[source]
    return f"{ENTITY_PREFIX[source]}-{entity + 1:0{width}d}"


def _ts(seconds: int) -> str:
    return records.timestamps(np.array([seconds]))[0]


Mark = tuple[int, str, str, str, "int | None"]  # offset, kind, key, detail, resolves in


@dataclass
class Rendered:
    """The records of one source due in one batch, from one chunk of the world."""

    batch: int
    source: str
    data: bytes
    rows: int
    marks: list[Mark]
    drifted: int = 0  # records that carry the drift field (and parse)


class Renderer:
    """Turns chunks of the world into encoded records per batch (no file access), so that
    chunks can be rendered in worker processes and written in order by one writer."""

    def __init__(self, cfg: GeneratorConfig, batches: Iterable[int]) -> None:
        self.cfg = cfg
        self.world = World(cfg)
        self.wanted = sorted(set(batches))
        self.drift_from = (cfg.drift_from_batch - 1) if cfg.drift_from_batch else cfg.batches
        self.out: list[Rendered] = []

    def render(self, task: tuple[str, int, int]) -> list[Rendered]:
        """Render one task: ``("lines"|"treaties", 0, 0)`` or ``(source, lo, hi)``."""
        kind, lo, hi = task
        w = self.world
        self.out = []
        if kind == "specialty_lines":
            self.emit(kind, plan_rows(w, kind, w.specialty_lines()))
        elif kind == "reinsurance_treaties":
            self.emit(kind, plan_rows(w, kind, w.treaties()))
        elif kind == "insureds":
            self.emit(kind, plan_rows(w, kind, w.insureds(np.arange(lo, hi))))
        else:
            self._policy_chunk(np.arange(lo, hi))
        out, self.out = self.out, []
        return out

    # -- emission ---------------------------------------------------------------------------
    def emit(
        self,
        source: str,
        plan: Plan,
        extra: Frame | None = None,
        extra_batch: np.ndarray | None = None,
        orphan_until: dict[int, int | None] | None = None,
    ) -> None:
        """Write every row of ``plan`` due in a wanted batch (plus ``extra`` clean rows)."""
        frame = plan.frame
        entity = frame["entity"].astype(np.int64)
        base_key = entity * 64 + frame["version"] * 2
        for b in self.wanted:
            normal = np.flatnonzero(plan.batch == b)
            dups = np.flatnonzero((plan.fault == fx.RecordFault.DUPLICATE) & (plan.dup_batch == b))
            rows = np.concatenate([normal, dups])
            is_copy = np.concatenate([np.zeros(len(normal), bool), np.ones(len(dups), bool)])
            keys = np.concatenate(
                [
                    np.where(
                        plan.late[normal],
                        entity[normal] * 64 + 40 + frame["version"][normal],
                        base_key[normal],
                    ),
                    base_key[dups] + 1,
                ]
            )
            order = np.argsort(keys, kind="stable")
            rows, is_copy = rows[order], is_copy[order]
            fmt_batch = np.where(is_copy, plan.batch[rows], b)
            sub = take(frame, rows)
            faults_ = np.where(is_copy, fx.NONE, plan.fault[rows])
            drift = fmt_batch >= self.drift_from
            lines, entries = self._format(source, sub, faults_, plan.variant[rows], drift)
            unreadable = np.isin(faults_, (fx.RecordFault.MALFORMED, fx.RecordFault.NON_UTF8))
            drifted = int((drift & ~unreadable).sum())
            if extra is not None and extra_batch is not None:
                ex_rows = np.flatnonzero(extra_batch == b)
                if len(ex_rows):
                    ex = take(extra, ex_rows)
                    ex_lines, _ = self._format(
                        source,
                        ex,
                        np.full(len(ex_rows), fx.NONE),
                        np.zeros(len(ex_rows), np.int64),
                        np.full(len(ex_rows), b >= self.drift_from),
                    )
                    lines.extend(ex_lines)
                    drifted += len(ex_rows) if b >= self.drift_from else 0
            if not lines:
                continue
            marks: list[Mark] = [
                (i, kind, _key(source, int(sub["entity"][i])), detail, None)
                for i, (kind, detail) in entries.items()
            ]
            for i in np.flatnonzero(is_copy).tolist():
                r = rows[i]
                where = "the same file" if plan.batch[r] == b else f"batch {plan.batch[r] + 1}"
                marks.append(
                    (
                        i,
                        "duplicate",
                        _key(source, int(entity[r])),
                        f"exact copy of version {int(frame['version'][r])}, "
                        f"first delivered in {where}",
                        None,
                    )
                )
            for i in np.flatnonzero(plan.late[rows] & ~is_copy).tolist():
                r = rows[i]
                marks.append(
                    (
                        i,
                        "out_of_order",
                        _key(source, int(entity[r])),
                        f"version updated {_ts(int(frame['updated_at'][r]))} arrives after "
                        f"the newer version updated {_ts(int(plan.newer_ts[r]))}",
                        None,
                    )
                )
            for i, r in enumerate(rows.tolist()):
                ent = int(entity[r])
                if (
                    orphan_until
                    and ent in orphan_until
                    and not is_copy[i]
                    and plan.fault[r] == fx.NONE
                ):
                    arrives = orphan_until[ent]
                    if arrives is None or arrives > b:
                        parent = records.policy_id(
                            np.array([CLONE_BASE + ent // MAX_CLAIMS_PER_POLICY])
                        )[0]
                        marks.append(
                            (
                                i,
                                "orphan_reference",
                                _key(source, ent),
                                f"policy {parent} arrives late"
                                + (f", in batch {arrives + 1}" if arrives is not None else ""),
                                None if arrives is None else arrives + 1,
                            )
                        )
            if source in lake.CSV_SOURCES:
                drifted = 0
            self.out.append(Rendered(b, source, encode(lines), len(lines), marks, drifted))

    def _format(
        self, source: str, f: Frame, fault: np.ndarray, variant: np.ndarray, drift: np.ndarray
    ) -> tuple[list[str], dict[int, tuple[str, str]]]:
        """Encoded lines of the rows of ``f`` with their faults applied."""
        w = self.world
        if source == "insureds":
            cols = records.insureds(w, f)
        elif source == "reinsurance_treaties":
            cols = records.treaties(w, f)
        elif source == "specialty_lines":
            cols = records.specialty_lines(w, f)
        elif source == "policies":
            cols = records.policies(w, f, drift=True)
        else:
            cols = records.claims(w, f, drift=True)
        names = [name for name, _ in cols]
        csv = source in lake.CSV_SOURCES
        if csv:
            lines = records.csv_lines(cols)
        else:
            lines = (
                records.json_lines(cols[:-1])
                if not drift.any()
                else (records.json_lines(cols) if drift.all() else _mixed_drift(cols, drift))
            )
        entries: dict[int, tuple[str, str]] = {}
        intact = (fx.NONE, fx.RecordFault.DUPLICATE, fx.RecordFault.OUT_OF_ORDER)
        spoiled = ~np.isin(fault, intact)  # text or values
        for i in np.flatnonzero(spoiled).tolist():
            fields = {name: values[i] for name, values in cols}
            if not csv and not drift[i]:
                fields.pop(names[-1])
            kind, detail, line = self._spoil(source, f, i, int(fault[i]), int(variant[i]), fields)
            lines[i] = line
            entries[i] = (kind, detail)
        return lines, entries

    def _spoil(
        self, source: str, f: Frame, i: int, code: int, var: int, fields: dict[str, str]
    ) -> tuple[str, str, str]:
        csv = source in lake.CSV_SOURCES
        kind = fx.RecordFault(code).kind
        detail = ""
        year = str(
            int(np.datetime64(int(f["updated_at"][i]), "s").astype("datetime64[Y]").astype(int))
            + 1970
        )

        def render() -> str:
            if csv:
                return ",".join(fields.values())
            return "{" + ", ".join(f'"{k}": {v}' for k, v in fields.items()) + "}"

        if code == fx.RecordFault.MALFORMED:
            if csv:
                bad, detail = fx.malform_csv(list(fields.values()), var % 2)
                return kind, detail, ",".join(bad)
            line, detail = fx.malform_json(render(), var % 2)
            return kind, detail, line
        if code == fx.RecordFault.NON_UTF8:
            target = {
                "insureds": "full_name",
                "reinsurance_treaties": "reinsurer_name",
                "specialty_lines": "line_name",
                "policies": "underwriter",
                "claims": "adjuster",
            }[source]
            fields[target] = fx.insert_bad_byte(fields[target])
            return kind, f"byte 0xE9 inside {target}", render()
        if code == fx.RecordFault.UNPARSABLE_VALUE:
            q = "" if csv else '"'
            if source == "insureds":
                target, value = "created_at", f"{year}-02-30T09:00:00Z"
            elif source == "reinsurance_treaties":
                target, value = "inception_date", f"{year}-02-30"
            elif source == "specialty_lines":
                target, value = "is_active", "maybe"
            elif source == "policies":
                target, value = [
                    ("inception_date", f"{year}-02-30"),
                    ("sum_insured", "25,000,000.00"),
                    ("effective_date", f"31/12/{year}"),
                ][var % 3]
            else:
                target, value = [
                    ("loss_date", f"{year}-02-30"),
                    ("reported_date", f"{year}-13-01"),
                ][var % 2]
            fields[target] = f"{q}{value}{q}"
            return kind, f"{target} = {value!r}", render()
        if code == fx.RecordFault.ORPHAN_REFERENCE:
            ent = int(f["entity"][i])
            if source == "claims":
                bad = f"POL-9{ent % 9_999_999:07d}"
                fields["policy_id"] = f'"{bad}"'
                return kind, f"policy_id {bad} is unknown", render()
            which = var % 3
            if which == 0:
                bad = f"INS-9{ent % 999_999:06d}"
                fields["insured_id"] = f'"{bad}"'
                return kind, f"insured_id {bad} is unknown", render()
            if which == 1:
                fields["line_code"] = '"ZZZ-UNKNOWN"'
                return kind, "line_code ZZZ-UNKNOWN is unknown", render()
            bad = f"TRT-9{ent % 999:03d}"
            fields["treaty_ids"] = (
                fields["treaty_ids"][:-1]
                + (", " if fields["treaty_ids"] != "[]" else "")
                + f'"{bad}"]'
            )
            return kind, f"treaty_ids holds unknown {bad}", render()
        if code == fx.RecordFault.BUSINESS_RULE:
            rule = var % 3
            if rule == 0:
                paid = -max(int(f["paid"][i]), 125_000)
                fields["amounts"] = (
                    f'{{"paid": {records.money(np.array([paid]))[0]}, '
                    f'"reserve": {records.money(f["reserve"][i : i + 1])[0]}, '
                    f'"recovered": {records.money(f["recovered"][i : i + 1])[0]}}}'
                )
                return kind, "negative_amount: paid < 0", render()
            if rule == 1:
                loss = int(f["inception"][i]) - 1 - int(f["entity"][i]) % 20
                fields["loss_date"] = f'"{records.dates(np.array([loss]))[0]}"'
                return kind, "loss_before_inception", render()
            reported = int(f["loss_day"][i]) - 1 - int(f["entity"][i]) % 7
            fields["reported_date"] = f'"{records.dates(np.array([reported]))[0]}"'
            return kind, "reported_before_loss", render()
        raise AssertionError(f"unhandled fault code {code}")

    def _policy_chunk(self, idx: np.ndarray) -> None:
        w = self.world
        nb = self.cfg.batches
        pol, static = w.policies(idx)
        clm = w.claims(static)
        pplan = plan_rows(w, "policies", pol)
        if not clm:
            self.emit("policies", pplan)
            return
        cplan = plan_rows(w, "claims", clm)
        # Late-arriving parents: a claim whose policy reaches the lake one batch after it.
        ent = clm["entity"]
        first = clm["version"] == 1
        natural = w.deliver_batch(clm["updated_at"])
        chosen = (
            first
            & (ent % MAX_CLAIMS_PER_POLICY == 0)
            & (natural < nb)
            & (w.rand.uniform("fault:late_parent", ent) < self.cfg.faults.orphan_reference)
        )
        orphan_until: dict[int, int | None] = {}
        clone_rows: list[int] = []
        clone_batch: list[int] = []
        for r in np.flatnonzero(chosen).tolist():
            claim = int(ent[r])
            b = int(natural[r])
            arrives = b + 1 if b + 1 < nb else None
            orphan_until[claim] = arrives
            members = np.flatnonzero(ent == claim)
            cplan.fault[members] = fx.NONE
            cplan.late[members] = False
            cplan.batch[members] = natural[members]
            pidx = int(clm["policy"][r])
            bound = np.flatnonzero((pol["entity"] == pidx) & (pol["status"] == 1))
            if arrives is not None and len(bound):
                clone_rows.append(int(bound[0]))
                clone_batch.append(arrives)
        if orphan_until:
            claims_ = np.fromiter(orphan_until, np.int64)
            mask = np.isin(ent, claims_)
            clm["policy"] = np.where(mask, CLONE_BASE + ent // MAX_CLAIMS_PER_POLICY, clm["policy"])
        extra = None
        if clone_rows:
            extra = take(pol, np.array(clone_rows))
            extra["entity"] = CLONE_BASE + extra["entity"]
            extra["version"] = np.ones(len(clone_rows), np.int64)
        self.emit("policies", pplan, extra, np.array(clone_batch) if clone_rows else None)
        self.emit("claims", cplan, orphan_until=orphan_until)


class Generator:
    """Writes the requested batches of one configuration into a lake folder."""

    def __init__(
        self,
        cfg: GeneratorConfig,
        root: Path,
        batches: Iterable[int],
        progress: Progress | None = None,
    ) -> None:
        self.cfg = cfg
        self.root = root
        self.renderer = Renderer(cfg, batches)
        self.world = self.renderer.world
        self.wanted = self.renderer.wanted
        self.progress = progress or (lambda _msg: None)
        dates = cfg.batch_dates()
        self.reports = {
            b: BatchReport(lake.batch_id(b + 1), b + 1, dates[b].isoformat()) for b in self.wanted
        }
        self.sinks: dict[tuple[int, str], SourceSink] = {}
        for b in self.wanted:
            for si, source in enumerate(lake.SOURCES):
                stamp = dt.datetime.combine(dates[b], dt.time(4, 5 * si), tzinfo=dt.timezone.utc)
                self.sinks[(b, source)] = SourceSink(
                    root,
                    source,
                    dates[b],
                    stamp,
                    max_rows=cfg.max_rows_per_file,
                    gzip_files=cfg.gzip,
                )
        self.drift_from = self.renderer.drift_from
        self.records_written = 0
        self.drifted: Counter[tuple[int, str]] = Counter()

    def tasks(self) -> list[tuple[str, int, int]]:
        cfg = self.cfg
        out = [("specialty_lines", 0, 0), ("reinsurance_treaties", 0, 0)]
        out += [
            ("insureds", lo, min(lo + INSURED_CHUNK, cfg.insureds))
            for lo in range(0, cfg.insureds, INSURED_CHUNK)
        ]
        out += [
            ("policies", lo, min(lo + POLICY_CHUNK, cfg.policies))
            for lo in range(0, cfg.policies, POLICY_CHUNK)
        ]
        return out

    def run(self, workers: int = 1) -> dict[int, BatchReport]:
        tasks = self.tasks()
        for done, rendered in enumerate(_render_all(self.renderer, tasks, workers), start=1):
            for part in rendered:
                self.write(part)
            if done % 10 == 0 or done == len(tasks):
                self.progress(f"{done}/{len(tasks)} chunks, {self.records_written:,} records")
        return self.finish()

    def write(self, part: Rendered) -> None:
        sink = self.sinks[(part.batch, part.source)]
        start = sink.write_encoded(part.data, part.rows)
        self.records_written += part.rows
        self.drifted[(part.batch, part.source)] += part.drifted
        report = self.reports[part.batch]
        for offset, kind, key, detail, resolves in part.marks:
            path, rec = sink.position(start + offset)
            report.faults.append(FaultEntry(kind, part.source, path, rec, key, detail, resolves))

    # -- files of the batch, manifests, reports --------------------------------------------------
    def finish(self) -> dict[int, BatchReport]:
        cfg = self.cfg
        manifests: dict[int, Manifest] = {}
        for b in self.wanted:
            files: list[ManifestFile] = []
            for source in lake.SOURCES:
                sink = self.sinks[(b, source)]
                written = sink.close()
                files.extend(written)
                self.reports[b].records[source] = sink.rows
            manifests[b] = Manifest(lake.batch_id(b + 1), b + 1, self.reports[b].ingest_date, files)
            if b >= self.drift_from:
                # drift shows only where a record of the source carries the new field
                self.reports[b].schema_drift = {
                    source: name
                    for source, name in records.DRIFT_FIELDS.items()
                    if self.drifted[(b, source)]
                }
        for b in self.wanted:
            for si, source in enumerate(lake.SOURCES):
                self._file_faults(b, si, source, manifests)
            manifests[b].files.sort(key=lambda f: f.path)
            self._write_json(
                lake.manifest_path(self.cfg.batch_dates()[b], manifests[b].batch_id),
                manifests[b].to_json(),
            )
            self._write_json(
                lake.faults_path(cfg.batch_dates()[b], manifests[b].batch_id),
                self.reports[b].to_json(),
            )
        return self.reports

    def _file_faults(self, b: int, si: int, source: str, manifests: dict[int, Manifest]) -> None:
        rates = self.cfg.faults
        sink = self.sinks[(b, source)]
        seq = len(sink.files) + 1
        cell = np.array([b * 8 + si])
        if b > 0 and self.world.rand.uniform("fault:redeliver", cell)[0] < rates.redelivered_file:
            original = self._original_file(b - 1, source)
            if original is not None:
                data, entry = original
                copy = sink.write_extra(seq, data, entry.rows)
                manifests[b].files.append(copy)
                self.reports[b].file_faults.append(
                    {
                        "kind": fx.FaultKind.REDELIVERED_FILE,
                        "source": source,
                        "file": copy.path,
                        "original": entry.path,
                    }
                )
                self.reports[b].records[source] += entry.rows
                seq += 1
        if self.world.rand.uniform("fault:empty", cell)[0] < rates.empty_file:
            entry = sink.write_extra(seq, sink.empty_file_bytes(), 0)
            manifests[b].files.append(entry)
            self.reports[b].file_faults.append(
                {"kind": fx.FaultKind.EMPTY_FILE, "source": source, "file": entry.path}
            )

    def _original_file(self, b: int, source: str) -> tuple[bytes, ManifestFile] | None:
        """The first data file of ``source`` in batch ``b`` (generated aside if not wanted)."""
        if b in self.wanted:
            files = self.sinks[(b, source)].files
            if not files or files[0].rows == 0:
                return None
            return (self.root / files[0].path).read_bytes(), files[0]
        with tempfile.TemporaryDirectory(prefix="lakegen-") as tmp:
            aside = Generator(self.cfg, Path(tmp), [b])
            aside.run()
            files = aside.sinks[(b, source)].files
            if not files or files[0].rows == 0:
                return None
            return (Path(tmp) / files[0].path).read_bytes(), files[0]

    def _write_json(self, rel: str, text: str) -> None:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


_WORKER: Renderer | None = None


def _init_worker(cfg: GeneratorConfig, batches: list[int]) -> None:
    global _WORKER
    _WORKER = Renderer(cfg, batches)


def _render_in_worker(task: tuple[str, int, int]) -> list[Rendered]:
    assert _WORKER is not None
    return _WORKER.render(task)


def _render_all(
    renderer: Renderer,
    tasks: list[tuple[str, int, int]],
    workers: int,
) -> Iterator[list[Rendered]]:
    """Rendered tasks in task order; with workers > 1, rendered ahead in other processes
    (at most two tasks a worker ahead of the writer, so memory stays bounded)."""
    if workers <= 1 or sum(t[0] == "policies" for t in tasks) < 2:
        for task in tasks:
            yield renderer.render(task)
        return
    ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    with ProcessPoolExecutor(
        workers, mp_context=ctx, initializer=_init_worker, initargs=(renderer.cfg, renderer.wanted)
    ) as pool:
        pending: deque = deque()
        queue = iter(tasks)
        for task in queue:
            pending.append(pool.submit(_render_in_worker, task))
            if len(pending) >= 2 * workers:
                break
        while pending:
            result = pending.popleft().result()
            nxt = next(queue, None)
            if nxt is not None:
                pending.append(pool.submit(_render_in_worker, nxt))
            yield result


def generate(
    cfg: GeneratorConfig,
    root: Path,
    batches: Iterable[int] | None = None,
    progress: Progress | None = None,
    workers: int | None = None,
) -> dict[int, BatchReport]:
    """Generate ``batches`` (1-based batch numbers; all when None) into the lake at ``root``.

    ``workers`` processes render chunks in parallel (default: one per CPU); the output is
    the same whatever the number.

    Batches already present in the folder are replaced whole.
    """
    numbers = list(range(1, cfg.batches + 1)) if batches is None else list(batches)
    for n in numbers:
        if not 1 <= n <= cfg.batches:
            raise ValueError(f"batch {n} is outside 1..{cfg.batches}")
    root.mkdir(parents=True, exist_ok=True)
    dates = cfg.batch_dates()
    for n in numbers:
        part = lake.partition(dates[n - 1])
        for top in (*lake.SOURCES, lake.MANIFEST_DIR, lake.FAULTS_DIR):
            shutil.rmtree(root / top / part, ignore_errors=True)
    gen = Generator(cfg, root, [n - 1 for n in numbers], progress)
    reports = gen.run(workers if workers is not None else (os.cpu_count() or 1))
    return {b + 1: r for b, r in reports.items()}


__all__ = ["BatchReport", "FaultEntry", "Generator", "generate"]
