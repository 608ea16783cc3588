#!/usr/bin/env bash
# The Elementary CLI (`edr`), in its own virtual environment .venv-edr (full mode only).
#
# It cannot live in .venv: elementary-data pins its own dbt-core and adapter versions,
# which fight the project's pins. `make run` in full mode ends with `edr report` when
# .venv-edr/bin/edr exists (warehouse/runner/elementary.py). This script prints its path.
#
# The version follows the elementary dbt package pinned in packages.yml: the CLI
# and the package must be the same release. Installing needs the package index (PyPI);
# generating the report later needs the packages `edr` pins for its own dbt project
# (dbt-utils and elementary), which `edr` fetches from the dbt hub unless they are
# already installed (see warehouse/runner/elementary.py).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

EDR_VERSION="$(sed -nE '/elementary-data\/elementary/{n;s/.*version: *"?([0-9.]+)"?.*/\1/p}' packages.yml)"
EDR_VENV="${EDR_VENV:-.venv-edr}"
PYTHON="${PYTHON:-python3}"

if [[ -z "$EDR_VERSION" ]]; then
  echo "edr_venv: cannot read the elementary version from packages.yml" >&2
  exit 2
fi

installed=""
if [[ -x "$EDR_VENV/bin/python" ]]; then
  installed="$("$EDR_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("elementary-data"))' 2>/dev/null || true)"
fi
if [[ "$installed" != "$EDR_VERSION" ]]; then
  echo "edr_venv: installing elementary-data[duckdb,snowflake]==$EDR_VERSION into $EDR_VENV" >&2
  [[ -x "$EDR_VENV/bin/python" ]] || "$PYTHON" -m venv "$EDR_VENV"
  # dbt itself stays on the project's release line (pyproject.toml): left free, pip
  # would pick a newer dbt that edr's own dbt project does not support.
  "$EDR_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
    "elementary-data[duckdb,snowflake]==$EDR_VERSION" \
    "dbt-core~=1.11.0" "dbt-duckdb~=1.11.0" "dbt-snowflake~=1.11.0" >&2
fi
echo "$ROOT/$EDR_VENV/bin/edr"
