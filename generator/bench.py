"""Generator throughput and peak memory, each scale in a fresh process.

A measurement, not a test: ``lakegen bench`` prints records per second and peak resident
memory so that a change can be compared with the last one on the same machine.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

AS_OF = dt.date(2026, 11, 22)


def measure_once(policies: int, batches: int, out: Path) -> dict[str, float]:
    """Generate one lake in this process; returns records, seconds and peak RSS (MiB)."""
    from generator.catalog import COUNTRIES
    from generator.config import GeneratorConfig
    from generator.generate import generate
    from generator.pools import locale_pool

    for country in COUNTRIES:  # Faker pools are a fixed start-up cost, not throughput
        locale_pool(country.locale, 42)
    shutil.rmtree(out, ignore_errors=True)
    cfg = GeneratorConfig(seed=42, as_of=AS_OF, batches=batches, policies=policies)
    cpu0 = _cpu_seconds()
    start = time.perf_counter()
    reports = generate(cfg, out)
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu0
    records = sum(sum(r.records.values()) for r in reports.values())
    main_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    worker_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    shutil.rmtree(out, ignore_errors=True)
    return {
        "policies": policies,
        "records": records,
        "seconds": seconds,
        "cpu_seconds": cpu,
        "peak_mib": main_kib / 1024,
        "worker_peak_mib": worker_kib / 1024,
    }


def _cpu_seconds() -> float:
    """CPU time of this process and its finished workers (user + system)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def run_bench(scales: list[int], batches: int, scratch: Path) -> int:
    print(
        f"{'policies':>10} {'records':>11} {'seconds':>8} {'records/s':>11} "
        f"{'records/cpu-s':>14} {'peak MiB (writer)':>18} {'peak MiB (worker)':>18}"
    )
    for policies in scales:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "generator.bench",
                str(policies),
                str(batches),
                str(scratch / f"p{policies}"),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return proc.returncode
        m = json.loads(proc.stdout)
        print(
            f"{m['policies']:>10,} {m['records']:>11,} {m['seconds']:>8.2f} "
            f"{m['records'] / m['seconds']:>11,.0f} "
            f"{m['records'] / max(m['cpu_seconds'], 1e-9):>14,.0f} {m['peak_mib']:>18.0f} "
            f"{m['worker_peak_mib']:>18.0f}"
        )
    return 0


if __name__ == "__main__":
    policies, batches, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    print(json.dumps(measure_once(policies, batches, out)))
