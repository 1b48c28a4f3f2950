#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs into .venv, lints the SQL,
# then runs pytest (pure-Python unit tests, then integration tests that build
# the dbt project on generated data: dbt unit tests and data tests run inside
# those builds). The PostgreSQL comparison starts its own PostgreSQL server
# (apt-get installs it when missing) and stops it at the end of the session.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install.sh
source .venv/bin/activate

echo "== sqlfluff lint"
lint_dir="$(mktemp -d)"
CUSTOMER_GROUPS_DUCKDB_PATH="$lint_dir/lint.duckdb" DBT_TARGET_PATH="$lint_dir/target" DBT_LOG_PATH="$lint_dir/logs" \
    sqlfluff lint models macros analyses --processes 2

echo "== pytest"
set +e
# Two workers, a test file each at a time (module fixtures build once); most
# of a dbt run is single-threaded Python, so two files at once use both
# cores. PYTEST_WORKERS=0 runs everything in this process.
python -m pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
    echo "pytest collected no tests: that is a broken suite, not a pass" >&2
    exit 1
fi
exit "$status"
