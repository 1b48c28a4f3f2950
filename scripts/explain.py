"""Explain one customer's groups on any past date, from the values on that date.

    python scripts/explain.py --customer cus_0000042 --as-of 2026-06-01

The last build evaluated its own as_of_date only. This first re-evaluates the
intermediate models for the last processed date plus --as-of and the
created_on of every fixed segment and audience (the values that decided their
lists), leaving the published marts and the history untouched, then runs

    dbt run-operation explain_customer --args '{customer_id: ..., as_of_date: ...}'

which prints membership on that date (from the history) and, for each rule
group, the customer's values and which rule sets held. Without --as-of it
explains the last processed date.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from rich.console import Console

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.backfill import last_processed_date  # noqa: E402
from scripts.pipeline import AS_OF_INDEPENDENT_TAG, PROJECT_DIR, DbtProject, PostgresTarget, configured_target_type  # noqa: E402

console = Console(stderr=True)

# The models the explanations read, without the published marts, the state
# and the churn guard: re-evaluating them changes nothing people read.
REEVALUATE = ["run", "--select", "+customer_group_explanations", "--exclude", AS_OF_INDEPENDENT_TAG,
              "path:models/marts", "int_customer_group_removals_checked"]


def explain(
    customer_id: str,
    as_of: date | None,
    db_path: Path | None,
    postgres: PostgresTarget | None = None,
) -> None:
    last = last_processed_date(db_path, postgres)
    if last is None:
        raise SystemExit("Nothing is built yet: run the pipeline first (scripts/pipeline.py or dbt build).")
    day = as_of or last
    if day > last:
        raise SystemExit(f"History reaches {last}; {day} is later.")
    if postgres is not None:
        project = DbtProject(postgres=postgres, work_dir=PROJECT_DIR / "target" / "explain-postgres")
    else:
        project = DbtProject(db_path=db_path)
    console.print(f"evaluating {day} and the dates fixed lists were decided on ...")
    project.run(
        REEVALUATE,
        vars={
            "as_of_date": last.isoformat(),
            "extra_evaluation_dates": [day.isoformat()] if day != last else [],
            "evaluate_fixed_list_dates": True,
        },
    )
    project.run(
        ["run-operation", "explain_customer", "--args", json.dumps({"customer_id": customer_id, "as_of_date": day.isoformat()})],
        vars={"as_of_date": last.isoformat()},
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customer", required=True, help="RevCent customer id")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: the last date processed)")
    parser.add_argument("--db", type=Path, default=Path("warehouse/customer_groups.duckdb"))
    parser.add_argument("--target", choices=["duckdb", "postgres"], default=None)
    args = parser.parse_args(argv)
    target = args.target or configured_target_type()
    postgres = PostgresTarget.from_environment() if target == "postgres" else None
    explain(args.customer, args.as_of, args.db, postgres)
    return 0


if __name__ == "__main__":
    sys.exit(main())
