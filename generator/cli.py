"""lakegen: make, check and ship the insurance warehouse's landing lake."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from dataclasses import fields
from pathlib import Path

from generator.config import FaultRates, GeneratorConfig


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def _fault(text: str) -> tuple[str, float]:
    names = [f.name for f in fields(FaultRates)]
    name, _, value = text.partition("=")
    if name not in names or not value:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected KIND=RATE with KIND one of {', '.join(names)}"
        )
    try:
        return name, float(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from exc


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="lakegen",
        description=(
            "Generate realistic, related insurance source data (insureds, reinsurance "
            "treaties, specialty lines, policies, claims) into a landing lake, batch by "
            "batch, with deliberate faults; check a lake against its manifests; upload it "
            "to S3."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    g = sub.add_parser(
        "generate",
        help="write batches of the five sources into a lake folder",
        description=(
            "Write one batch per ingest date, the last on --as-of, each with a manifest "
            "(_manifests/) and a report of the faults injected (_faults/). The same seed, "
            "arguments and as-of date give byte-identical files; any batch can be "
            "generated on its own (--only-batch) and equals that batch of a full run."
        ),
    )
    g.add_argument("--out", type=Path, default=Path("lake"), help="lake folder (default: lake)")
    g.add_argument(
        "--policies",
        type=_positive,
        default=2000,
        help="scale: the total number of policies written over the whole history "
        "(--history-days), not a number a year; insureds and claims follow (default: 2000)",
    )
    g.add_argument(
        "--batches", type=_positive, default=7, help="number of daily batches (default: 7)"
    )
    g.add_argument(
        "--as-of",
        type=_date,
        default=None,
        help="ingest date of the last batch, YYYY-MM-DD (default: today, UTC)",
    )
    g.add_argument("--seed", type=int, default=42, help="random seed (default: 42)")
    g.add_argument(
        "--history-days",
        type=int,
        default=1095,
        help="how far back the simulated business goes: policies incept evenly over it, "
        "so the default shows three underwriting and four accident years (default: 1095)",
    )
    g.add_argument(
        "--only-batch",
        type=_positive,
        action="append",
        metavar="N",
        help="generate only batch N (1-based; repeatable)",
    )
    g.add_argument(
        "--fault-scale",
        type=float,
        default=1.0,
        help="multiply every default fault rate (0 = a clean lake; default: 1)",
    )
    g.add_argument(
        "--fault",
        type=_fault,
        action="append",
        default=[],
        metavar="KIND=RATE",
        help="set one fault rate, e.g. malformed=0.01 (repeatable)",
    )
    g.add_argument(
        "--drift-from-batch",
        type=int,
        default=None,
        metavar="N",
        help="from batch N on, policies and claims carry a new optional field "
        "(default: the last batch when there are 3 or more; 0 = never)",
    )
    g.add_argument("--gzip", action="store_true", help="gzip the data files")
    g.add_argument(
        "--max-rows-per-file",
        type=_positive,
        default=500_000,
        help="roll over to a new file after this many records (default: 500000)",
    )
    g.add_argument("--quiet", action="store_true", help="print only the summary")

    v = sub.add_parser(
        "verify",
        help="check a lake folder against its batch manifests",
        description="Every file listed in a manifest must exist with its row "
        "count, size and SHA-256; every data file must be in a manifest.",
    )
    v.add_argument("--lake", type=Path, default=Path("lake"), help="lake folder (default: lake)")

    u = sub.add_parser(
        "upload",
        help="upload a lake folder to s3://BUCKET/PREFIX",
        description="Idempotent (unchanged objects are not sent again), "
        "SSE-KMS encrypted, parallel, retried, and verified against the batch "
        "manifests afterwards. Credentials come from the usual AWS sources.",
    )
    u.add_argument("--lake", type=Path, default=Path("lake"), help="lake folder (default: lake)")
    u.add_argument("--bucket", required=True, help="landing bucket name")
    u.add_argument("--prefix", default="raw", help="key prefix (default: raw)")
    u.add_argument(
        "--kms-key-id",
        default=None,
        help="KMS key (ARN, id or alias) for SSE-KMS; required, except with a local "
        "--endpoint-url (localhost or a loopback address)",
    )
    u.add_argument(
        "--endpoint-url",
        default=None,
        help="S3-compatible endpoint, e.g. http://127.0.0.1:5000 for a local one",
    )
    u.add_argument("--region", default=None, help="AWS region (default: from the environment)")
    u.add_argument("--workers", type=_positive, default=8, help="parallel uploads (default: 8)")

    b = sub.add_parser(
        "bench",
        help="print records per second and peak memory at two scales",
        description="Runs the generator in a fresh process per scale and prints "
        "throughput and peak resident memory. A measurement, not a test.",
    )
    b.add_argument(
        "--scales", default="5000,50000", help="comma-separated policy counts (default: 5000,50000)"
    )
    b.add_argument("--batches", type=_positive, default=7, help="batches per run (default: 7)")
    b.add_argument(
        "--dir",
        type=Path,
        default=Path("bench"),
        help="scratch folder, emptied per run (default: bench)",
    )

    c = sub.add_parser(
        "calibrate",
        help="print the book's loss ratios, frequency, severity, development, reinsurance "
        "and catastrophes against the line profiles",
        description="Reads a lake's files back (latest version of each record wins) and "
        "compares, by line and for the book, what they show with the profiles' targets and "
        "bands. Exits 1 when a figure is out of its band.",
    )
    c.add_argument("--lake", type=Path, default=Path("lake"), help="lake folder (default: lake)")

    x = sub.add_parser("fx-rates", help="write the monthly FX reference (a dbt seed)")
    x.add_argument("--out", type=Path, default=Path("seeds/fx_rates_monthly.csv"))
    return parser


def _config(args: argparse.Namespace) -> GeneratorConfig:
    rates = FaultRates.scaled(args.fault_scale) if args.fault_scale != 1.0 else FaultRates()
    if args.fault:
        values = {f.name: getattr(rates, f.name) for f in fields(FaultRates)}
        values.update(dict(args.fault))
        rates = FaultRates(**values)
    drift = args.drift_from_batch
    if drift is None:
        drift = args.batches if args.batches >= 3 else 0
    as_of = args.as_of or dt.datetime.now(dt.timezone.utc).date()
    return GeneratorConfig(
        seed=args.seed,
        as_of=as_of,
        batches=args.batches,
        policies=args.policies,
        history_days=args.history_days,
        faults=rates,
        drift_from_batch=drift or None,
        gzip=args.gzip,
        max_rows_per_file=args.max_rows_per_file,
    )


def cmd_generate(args: argparse.Namespace) -> int:
    from generator.generate import generate

    cfg = _config(args)
    say = (lambda _m: None) if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    start = time.perf_counter()
    reports = generate(cfg, args.out, args.only_batch, progress=say)
    seconds = time.perf_counter() - start
    total = 0
    for number, report in sorted(reports.items()):
        rows = sum(report.records.values())
        total += rows
        faults = sum(sum(c.values()) for c in report.counts().values())
        print(f"batch {number:>3}  {report.ingest_date}  {rows:>9,} records  {faults:>5} faults")
    print(
        f"{total:,} records in {seconds:.1f}s into {args.out} "
        f"(as of {cfg.as_of}, seed {cfg.seed}); manifests in {args.out}/_manifests, "
        f"fault reports in {args.out}/_faults"
    )
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from generator.verify import verify_lake

    problems, checked = verify_lake(args.lake)
    for p in problems:
        print(f"problem: {p}", file=sys.stderr)
    print(f"{checked} files checked against their manifests, {len(problems)} problems")
    return 1 if problems else 0


def cmd_upload(args: argparse.Namespace) -> int:
    from generator.upload import UploadError, upload_lake

    try:
        result = upload_lake(
            args.lake,
            args.bucket,
            args.prefix,
            kms_key_id=args.kms_key_id,
            endpoint_url=args.endpoint_url,
            region=args.region,
            workers=args.workers,
            progress=lambda m: print(m, file=sys.stderr, flush=True),
        )
    except UploadError as exc:
        print(f"upload failed: {exc}", file=sys.stderr)
        return 1
    print(
        f"{len(result.uploaded)} sent, {len(result.skipped)} unchanged, "
        f"{result.verified} verified against the manifests"
    )
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from generator.bench import run_bench

    scales = [int(s) for s in args.scales.split(",") if s.strip()]
    return run_bench(scales, args.batches, args.dir)


def cmd_calibrate(args: argparse.Namespace) -> int:
    from generator.calibrate import calibrate, check, render

    report = calibrate(args.lake)
    print(render(report), end="")
    return 1 if check(report) else 0


def cmd_fx_rates(args: argparse.Namespace) -> int:
    from generator.fx import fx_rates_csv

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(fx_rates_csv(), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


COMMANDS = {
    "generate": cmd_generate,
    "verify": cmd_verify,
    "upload": cmd_upload,
    "bench": cmd_bench,
    "calibrate": cmd_calibrate,
    "fx-rates": cmd_fx_rates,
}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except ValueError as exc:
        parser.exit(2, f"lakegen {args.command}: error: {exc}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
