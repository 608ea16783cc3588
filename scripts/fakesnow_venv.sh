#!/usr/bin/env bash
# The Snowflake emulator's environment: fakesnow with dbt-snowflake, in .venv-fakesnow.
#
# It cannot live in .venv: fakesnow pins its own DuckDB and sqlglot releases, which fight
# the project's pins. The pins are pyproject.toml's dependency group `emulator`; this
# script installs them when the environment is missing or differs from them, then prints
# the environment's Python. Installing needs the package index (PyPI); afterwards the
# emulator (warehouse/checks/emulator.py) runs offline.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV="${FAKESNOW_VENV:-$ROOT/.venv-fakesnow}"
PYTHON="${PYTHON:-python3}"
STAMP="$VENV/.installed"

# test files run in parallel workers (make test): one installs, the others wait for it
mkdir -p "$VENV"
exec 9>"$VENV/.lock"
flock 9

if [[ ! -f "$STAMP" || pyproject.toml -nt "$STAMP" ]]; then
  echo "fakesnow_venv: installing pyproject.toml's dependency group 'emulator' into $VENV" >&2
  [[ -x "$VENV/bin/python" ]] || "$PYTHON" -m venv "$VENV"
  # dependency groups need pip >= 25.1
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.1" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    --group "$ROOT/pyproject.toml:emulator" >&2
  touch "$STAMP"
fi
echo "$VENV/bin/python"
