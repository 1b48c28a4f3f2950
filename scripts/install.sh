#!/usr/bin/env bash
# Creates .venv with Python 3.11 and installs the pinned requirements; writes
# profiles.yml from profiles.yml.example when there is none.
set -euo pipefail
cd "$(dirname "$0")/.."
python_bin="${PYTHON:-$(command -v python3.11 || command -v python3)}"
if [ ! -x .venv/bin/python ]; then
    "$python_bin" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
[ -f profiles.yml ] || cp profiles.yml.example profiles.yml
