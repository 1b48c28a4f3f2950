#!/usr/bin/env bash
# The main job from a fresh clone: install, then generate, run and summarise.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
.venv/bin/python scripts/demo.py "$@"
