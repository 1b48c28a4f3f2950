"""Check the seed CSV files before `dbt seed` reads them, naming file lines.

dbt (through agate) reports a malformed seed line as "Row 5 has 13 values,
but Table only has 12 columns": a 0-based count of data records, not the
line of the file, so in a long file with multi-line descriptions the line is
hard to find. This check reads each CSV the way dbt does (comma separated,
double quotes, a header line) and names the file and line of every record
whose number of values differs from the header's::

    python scripts/check_seeds.py            # every seeds/*.csv; exit 1 on a problem
    python scripts/check_seeds.py seeds/customer_groups.csv

docs/data_quality.md ("Seed files") says when to run it.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def seed_file_problems(path: Path) -> list[str]:
    """One line per record of ``path`` whose value count differs from its header."""
    problems: list[str] = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            return [f"{path}: empty file, no header line"]
        except csv.Error as error:
            return [f"{path} line {reader.line_num}: {error}"]
        first_line = reader.line_num + 1
        while True:
            try:
                record = next(reader)
            except StopIteration:
                break
            except csv.Error as error:
                problems.append(f"{path} line {first_line}: {error}")
                break
            if record and len(record) != len(header):
                lines = f"line {first_line}" if reader.line_num == first_line else f"lines {first_line}-{reader.line_num}"
                problems.append(
                    f"{path} {lines}: {len(record)} values, but the header has {len(header)}"
                    f" ({', '.join(header)}); a comma in a value needs double quotes"
                )
            first_line = reader.line_num + 1
    return problems


def check_seed_files(paths: Iterable[Path]) -> list[str]:
    return [problem for path in paths for problem in seed_file_problems(path)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", type=Path, help="CSV files (default: seeds/*.csv)")
    args = parser.parse_args(argv)
    paths = args.paths or sorted((PROJECT_DIR / "seeds").glob("*.csv"))
    problems = check_seed_files(paths)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
