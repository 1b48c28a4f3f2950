"""Seed files are well-formed CSV, and a malformed line is named by its file
line (dbt only says "Row 5 has 13 values", counting data records from 0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scripts.check_seeds import PROJECT_DIR, check_seed_files, seed_file_problems


def test_every_seed_file_of_the_project_has_as_many_values_per_line_as_its_header() -> None:
    seeds = sorted((PROJECT_DIR / "seeds").glob("*.csv"))
    assert seeds
    assert check_seed_files(seeds) == []


def test_a_line_with_an_unquoted_comma_is_named_by_its_file_line(tmp_path: Path) -> None:
    seed = tmp_path / "customer_groups.csv"
    seed.write_text(
        "group_key,name,description\n"
        'vip,VIP,"Spends a lot,\nand often"\n'  # one record on lines 2-3
        "winback,Winback,Lapsed buyers\n"
        "repeat,Repeat,Bought twice, or more\n"  # line 5: unquoted comma
        "prospects,Prospects,Never bought\n",
        encoding="utf-8",
    )
    assert seed_file_problems(seed) == [
        f"{seed} line 5: 4 values, but the header has 3 (group_key, name, description);"
        " a comma in a value needs double quotes"
    ]


def test_a_record_spanning_lines_is_named_by_its_line_range(tmp_path: Path) -> None:
    seed = tmp_path / "customer_groups.csv"
    seed.write_text('group_key,name\nvip,"VIP\nclub",extra\n', encoding="utf-8")
    assert seed_file_problems(seed) == [
        f"{seed} lines 2-3: 3 values, but the header has 2 (group_key, name); a comma in a value needs double quotes"
    ]


def test_the_pipeline_names_a_malformed_seed_line_before_dbt_seed_reads_it(tmp_path: Path) -> None:
    from scripts.pipeline import DbtProject, DbtRunError

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "customer_groups.csv").write_text(
        "group_key,name\nvip,VIP\nrepeat,Repeat, twice\n", encoding="utf-8"
    )
    project = DbtProject(db_path=tmp_path / "warehouse.duckdb", project_dir=tmp_path)
    with pytest.raises(DbtRunError, match=r"customer_groups.csv line 3: 3 values, but the header has 2"):
        project.run(["seed"])
