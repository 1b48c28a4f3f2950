"""Measure group evaluation at scale: 10 or 200 groups on 100k or 1M customers.

    python scripts/benchmark_groups.py --customers 100000 --groups 10 200

Generates the data once per customer count, builds the project once, then for
each group count writes synthetic definitions (range rows on every metric,
list alternatives, metadata, OR'ed rule sets, relations nested up to three
deep) into a copy of the project and times the models that evaluate groups.
Prints one line per case; nothing is asserted (speed is measured, never
tested).
"""

from __future__ import annotations

import argparse
import csv
import random
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scripts.generate_data import generate  # noqa: E402
from scripts.pipeline import PROJECT_DIR, DbtProject  # noqa: E402

RANGE_METRICS = {
    "lifetime_value": (0, 3000),
    "successful_sales": (0, 12),
    "declined_sales": (0, 3),
    "days_since_last_sale": (0, 400),
    "days_since_created": (0, 700),
    "average_sale": (10, 300),
    "chargebacks": (0, 1),
    "renewals": (0, 12),
    "overdue_renewals": (0, 2),
    "days_until_card_expiry": (-60, 400),
}
# Every model that evaluates groups: qualifier rows matched, rule sets
# matched, then group membership (one model per nesting depth, their union by
# date, and its as_of_date view).
GROUP_EVALUATION = [
    "int_customer_metrics_unpivoted",
    "int_customer_group_qualifier_rows_passed",
    "int_customer_group_rule_sets_matched",
    "int_customer_groups_evaluated*",
]


def write_definitions(seeds_dir: Path, groups: int, seed: int) -> None:
    """Synthetic but realistic group definitions: each group one to three
    rule sets of one to four rows; every fifth group references earlier
    groups (so nesting reaches three levels)."""
    rng = random.Random(seed)
    group_rows, qualifier_rows = [], []
    for number in range(groups):
        key = f"bench_group_{number:03d}"
        group_rows.append([key, f"Bench group {number}", "synthetic", "true", "specific_values", "", "", "", "", "", number])
        for rule_set in range(1, rng.randint(1, 3) + 1):
            for _ in range(rng.randint(1, 4)):
                kind = rng.random()
                if number >= 5 and number % 5 == 0 and kind < 0.3:
                    referenced = f"bench_group_{rng.randrange(max(0, number - 10), number):03d}"
                    relation = rng.choice(["in_any_customer_group", "not_in_any_customer_group", "in_all_customer_group"])
                    qualifier_rows.append([key, rule_set, relation, "", "", "", referenced])
                elif kind < 0.7:
                    metric = rng.choice(list(RANGE_METRICS))
                    low, high = RANGE_METRICS[metric]
                    bound = rng.randint(low, high)
                    minimum, maximum = (bound, "") if rng.random() < 0.6 else ("", bound)
                    qualifier_rows.append([key, rule_set, metric, minimum, maximum, "", ""])
                elif kind < 0.85:
                    for campaign in rng.sample(range(1, 21), rng.randint(1, 3)):
                        qualifier_rows.append([key, rule_set, "campaign", "", "", "", f"cmp_{campaign}"])
                else:
                    qualifier_rows.append([key, rule_set, "metadata", "", "", "affiliate_id", f"aff_{rng.choice([123, 456, 789])}"])
    with (seeds_dir / "customer_groups.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["group_key", "name", "description", "enabled", "qualifier_method", "group_type", "recalculation", "created_on", "locked_on", "badge_icon", "priority"])
        writer.writerows(group_rows)
    with (seeds_dir / "customer_group_qualifiers.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["group_key", "rule_set", "qualifier", "min_value", "max_value", "name", "value"])
        writer.writerows(qualifier_rows)


def copy_project(destination: Path) -> Path:
    # Unit tests do not run in `dbt run`; leaving them out keeps parsing short.
    skip = shutil.ignore_patterns("*unit_tests.yml")
    for name in ["models", "macros", "seeds", "tests", "analyses"]:
        shutil.copytree(PROJECT_DIR / name, destination / name, ignore=skip, dirs_exist_ok=True)
    for name in ["dbt_project.yml", "selectors.yml"]:
        shutil.copy(PROJECT_DIR / name, destination / name)
    return destination


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, nargs="+", default=[100_000])
    parser.add_argument("--groups", type=int, nargs="+", default=[10, 200])
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 6, 30))
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args(argv)

    work = Path(args.work_dir or tempfile.mkdtemp(prefix="benchmark_groups_"))
    print(f"work dir: {work}")
    for customers in args.customers:
        db_path = work / f"customers_{customers}.duckdb"
        if db_path.exists():
            # A rerun in the same --work-dir reuses the generated data.
            print(f"{customers:>9,} customers: reusing {db_path}")
        else:
            started = time.perf_counter()
            generate(str(db_path), customers=customers, seed=11, as_of=args.as_of, progress=False)
            print(f"{customers:>9,} customers: generated in {time.perf_counter() - started:.1f} s")
        for groups in args.groups:
            project_dir = copy_project(work / f"project_{customers}_{groups}")
            write_definitions(project_dir / "seeds", groups, seed=groups)
            project = DbtProject(db_path=db_path, project_dir=project_dir, work_dir=project_dir / "dbt")
            vars = {"as_of_date": args.as_of.isoformat()}
            project.run(["seed"], vars=vars)
            project.run(["run", "--select", "+int_customer_groups_evaluated_by_date"], vars=vars)
            started = time.perf_counter()
            result = project.run(["run", "--select", *GROUP_EVALUATION], vars=vars)
            elapsed = time.perf_counter() - started
            slowest = sorted(((node.execution_time, node.node.name) for node in result.result.results), reverse=True)[:4]
            members = _count(db_path, "select count(*) from int_customer_groups_evaluated")
            print(
                f"{customers:>9,} customers, {groups:>3} groups: group evaluation {elapsed:.1f} s"
                f" ({members:,} memberships; slowest: "
                + ", ".join(f"{name} {seconds:.1f} s" for seconds, name in slowest) + ")"
            )
    return 0


def _count(db_path: Path, sql: str) -> int:
    import duckdb

    con = duckdb.connect(str(db_path), read_only=True)
    try:
        return int(con.execute(sql).fetchone()[0])
    finally:
        con.close()


if __name__ == "__main__":
    sys.exit(main())
