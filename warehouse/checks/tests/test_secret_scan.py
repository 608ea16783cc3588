"""`make lint` scans the tracked files for secrets against the reviewed baseline
(.secrets.baseline): the baseline lists no finding, and a planted key is caught."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
BASELINE = ROOT / ".secrets.baseline"
HOOK = Path(sys.executable).with_name("detect-secrets-hook")


def hook(*files: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(HOOK), "--baseline", str(BASELINE), *map(str, files)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_the_reviewed_baseline_lists_no_secret() -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert baseline["results"] == {}
    names = {p["name"] for p in baseline["plugins_used"]}
    assert {"AWSKeyDetector", "PrivateKeyDetector", "KeywordDetector"} <= names


def test_the_lint_target_runs_the_scan() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    lint = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "detect-secrets-hook --baseline .secrets.baseline" in lint


def test_a_planted_key_is_caught(tmp_path: Path) -> None:
    clean = tmp_path / "settings.py"
    clean.write_text('REGION = "eu-west-1"\n', encoding="utf-8")
    assert hook(clean).returncode == 0
    leaked = tmp_path / "leaked.py"
    # an AWS access key id shape and a private key header, split so this file holds neither
    leaked.write_text(
        'aws_access_key_id = "AKIA' + 'ZQ3DN5TYXW7FAKE1"\n'
        "key = '''-----BEGIN RSA " + "PRIVATE KEY-----\\nMIIEow'''\n",
        encoding="utf-8",
    )
    out = hook(leaked)
    assert out.returncode != 0
    assert "AWS Access Key" in out.stdout + out.stderr
