"""Run the dbt project in-process, the way every script and test does.

    from scripts.pipeline import DbtProject
    project = DbtProject(db_path=Path("warehouse/customer_groups.duckdb"))
    project.run(["build"], vars={"as_of_date": "2026-06-30"})

Each run writes a profiles.yml for the DuckDB file into a work folder beside
it (target/ and logs/ go there too), so two projects never share state, and
releases the DuckDB file afterwards so it can be opened read-only.

The same project runs on PostgreSQL when given a ``PostgresTarget`` (then
``work_dir`` is required, since there is no database file to sit beside):

    project = DbtProject(postgres=PostgresTarget(host="127.0.0.1", port=5432, user="postgres",
                                                 dbname="customer_groups"), work_dir=Path("/tmp/pg.dbt"))

and on a local Spark session (Iceberg tables) when given a ``SparkTarget``
(scripts/spark_setup.py, scripts/spark_build.py):

    project = DbtProject(spark=SparkTarget(warehouse_dir=Path("/tmp/cg-spark")), work_dir=Path("/tmp/spark.dbt"))
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
PROFILE_NAME = "customer_groups"

# Models whose results do not depend on as_of_date carry this tag (set by
# folder in dbt_project.yml); selectors.yml names the selections built on it.
AS_OF_INDEPENDENT_TAG = "tag:as_of_independent"
# Everything but those models and the unit tests: a day whose raw tables did not change.
AS_OF_DEPENDENT_SELECTOR = "as_of_dependent"


class DbtRunError(AssertionError):
    """dbt did not end as expected; carries dbt's log output."""


@dataclass(frozen=True)
class PostgresTarget:
    """Where the project builds on PostgreSQL: models go to ``schema`` of
    ``dbname``; the raw tables are found through vars ``revcent_database`` /
    ``revcent_schema`` as on DuckDB."""

    host: str
    port: int
    user: str
    dbname: str
    schema: str = "customer_groups"
    password: str = ""

    def profile_output(self, threads: int) -> dict[str, Any]:
        return {
            "type": "postgres",
            "host": self.host,
            "port": self.port,
            "user": self.user,
            "password": self.password,
            "dbname": self.dbname,
            "schema": self.schema,
            "threads": threads,
        }

    def conninfo(self) -> str:
        password = f" password={self.password}" if self.password else ""
        return f"host={self.host} port={self.port} user={self.user} dbname={self.dbname}{password}"

    @classmethod
    def from_environment(cls) -> PostgresTarget:
        """The connection profiles.yml.example's postgres target reads: the
        libpq variables and CUSTOMER_GROUPS_PG_SCHEMA, with its defaults."""
        return cls(
            host=os.environ.get("PGHOST", "127.0.0.1"),
            port=int(os.environ.get("PGPORT", "5432")),
            user=os.environ.get("PGUSER", "postgres"),
            dbname=os.environ.get("PGDATABASE", "customer_groups"),
            schema=os.environ.get("CUSTOMER_GROUPS_PG_SCHEMA", "customer_groups"),
            password=os.environ.get("PGPASSWORD", ""),
        )


@dataclass(frozen=True)
class SparkTarget:
    """Where the project builds on Spark: a local session in this process
    (dbt-spark's session method) whose metastore and Iceberg tables live in
    ``warehouse_dir``; models go to ``schema``, raw tables are found through
    var ``revcent_schema``. One thread: the session runs one node at a time."""

    warehouse_dir: Path
    schema: str = "customer_groups"
    threads: int = 1

    def profile_output(self, threads: int) -> dict[str, Any]:
        from scripts.spark_setup import spark_settings

        return {
            "type": "spark",
            "method": "session",
            "host": "localhost",
            "schema": self.schema,
            "threads": self.threads,
            "server_side_parameters": spark_settings(self.warehouse_dir),
        }


def configured_target_type() -> str:
    """The adapter type (``duckdb``, ``postgres``, ...) of the target dbt
    would use with this project's profiles.yml (DBT_PROFILES_DIR, the project
    folder, then ~/.dbt; DBT_TARGET overrides the default target); ``duckdb``
    when there is no profiles.yml."""
    import yaml

    folders = [os.environ.get("DBT_PROFILES_DIR"), str(PROJECT_DIR), str(Path.home() / ".dbt")]
    for folder in filter(None, folders):
        path = Path(folder) / "profiles.yml"
        if path.exists():
            profile = (yaml.safe_load(path.read_text()) or {}).get(PROFILE_NAME) or {}
            target = os.environ.get("DBT_TARGET") or profile.get("target", "")
            output = (profile.get("outputs") or {}).get(target) or {}
            return str(output.get("type", "duckdb"))
    return "duckdb"


def require_duckdb_warehouse(tool: str, db_path: Path | None = None) -> None:
    """Stop with a plain message when ``tool``, which reads a DuckDB file
    directly, is used with a non-DuckDB profile or a missing file, instead of
    failing later with a DuckDB error."""
    target_type = configured_target_type()
    if target_type != "duckdb":
        raise SystemExit(
            f"{tool} is a DuckDB tool: it reads the DuckDB warehouse file directly, and profiles.yml's target "
            f"is {target_type}. On {target_type}, query the marts (customer_group_overview, "
            "customer_group_performance, customer_group_events, ...) with your SQL client or BI tool; "
            "scripts/backfill.py --target postgres replays dates there. "
            "Set DBT_TARGET=duckdb to use the DuckDB file anyway."
        )
    if db_path is not None and not db_path.exists():
        raise SystemExit(f"no DuckDB warehouse at {db_path}: build one first (bash scripts/demo.sh or dbt build)")


# DuckDB may otherwise take 80 % of the machine's memory; above the limit it
# spills to the temp directory (README, "Sizing memory and threads").
DEFAULT_DUCKDB_MEMORY_LIMIT = "4GB"


def duckdb_config_options(db_path: Path) -> dict[str, str]:
    """What profiles.yml.example's duckdb target sets when it opens the
    DuckDB file ``db_path``: the memory limit and the folder it spills to
    (CUSTOMER_GROUPS_DUCKDB_MEMORY_LIMIT / _TEMP_DIRECTORY override them).
    Connection-time options: DuckDB refuses to move the temp directory once
    a session has used it."""
    return {
        "memory_limit": os.environ.get("CUSTOMER_GROUPS_DUCKDB_MEMORY_LIMIT", DEFAULT_DUCKDB_MEMORY_LIMIT),
        "temp_directory": os.environ.get("CUSTOMER_GROUPS_DUCKDB_TEMP_DIRECTORY", f"{db_path}.tmp"),
    }


def write_profiles(
    profiles_dir: Path,
    db_path: Path | None = None,
    threads: int = 2,
    *,
    postgres: PostgresTarget | None = None,
    spark: SparkTarget | None = None,
) -> Path:
    """A profiles.yml whose only target is the DuckDB file ``db_path``, or
    the PostgreSQL database ``postgres`` / the Spark session ``spark`` when
    given."""
    profiles_dir.mkdir(parents=True, exist_ok=True)
    if spark is not None:
        target, output = "spark", spark.profile_output(threads)
    elif postgres is not None:
        target, output = "postgres", postgres.profile_output(threads)
    elif db_path is not None:
        target = "duckdb"
        output = {
            "type": "duckdb",
            "path": str(db_path),
            "threads": threads,
            "settings": {"TimeZone": "UTC"},
            "config_options": duckdb_config_options(db_path),
        }
    else:
        raise ValueError("write_profiles needs a DuckDB db_path or a PostgresTarget")
    profile = {PROFILE_NAME: {"target": target, "outputs": {target: output}}}
    path = profiles_dir / "profiles.yml"
    path.write_text(json.dumps(profile, indent=2))  # JSON is valid YAML
    return path


def release_duckdb() -> None:
    """Close the database dbt-duckdb caches for the process, so the file can
    be opened again (read-only, or by another build)."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    environment = DuckDBConnectionManager._ENV
    if environment is not None:
        environment.close()
    DuckDBConnectionManager.close_all_connections()


def run_dbt(
    args: Sequence[str],
    *,
    project_dir: Path,
    profiles_dir: Path,
    db_path: Path | None,
    vars: Mapping[str, Any] | None = None,
    expect_success: bool = True,
    work_dir: Path | None = None,
    manifest: Any = None,
    postgres: PostgresTarget | None = None,
    spark: SparkTarget | None = None,
) -> Any:
    """Run one dbt command (e.g. ``["build"]``) against ``db_path``, or
    against ``postgres`` or ``spark`` when given (then ``work_dir`` is
    required).

    With ``manifest`` (from a ``parse``), dbt skips parsing: a different
    ``as_of_date`` in --vars would otherwise force a full re-parse per day.
    Raises ``DbtRunError`` with dbt's messages when the outcome is not
    ``expect_success``; returns the dbtRunnerResult.
    """
    write_profiles(profiles_dir, db_path, postgres=postgres, spark=spark)
    if work_dir is None:
        if db_path is None:
            raise ValueError("run_dbt on PostgreSQL or Spark needs a work_dir")
        work_dir = db_path.parent
    command = [
        *args,
        "--quiet",
        "--no-use-colors",
        "--project-dir",
        str(project_dir),
        "--profiles-dir",
        str(profiles_dir),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]
    if vars:
        command += ["--vars", json.dumps(dict(vars), default=str)]

    from dbt.cli.main import dbtRunner  # imported late: it takes seconds

    messages: list[str] = []

    def collect(event: Any) -> None:
        if event.info.level != "debug" and event.info.msg:
            messages.append(f"[{event.info.level}] {event.info.msg}")

    try:
        result = dbtRunner(manifest=manifest, callbacks=[collect]).invoke(command)
    finally:
        if postgres is None and spark is None:
            release_duckdb()

    if result.success != expect_success:
        outcome = "failed" if expect_success else "succeeded but was expected to fail"
        problems = [message for message in messages if message.startswith(("[error]", "[warn]"))]
        log = "\n".join(problems[-60:] or messages[-60:])
        raise DbtRunError(
            f"dbt {' '.join(command)} {outcome} (exception: {result.exception!r}).\n"
            f"Full log: {work_dir / 'logs' / 'dbt.log'}\n{log}"
        )
    result.messages = messages  # type: ignore[attr-defined]
    return result


def later_day_command(*, test: bool, raw_data_changed: bool) -> list[str]:
    """The dbt command of a daily run after the first whole build: models only,
    or a build without the unit tests (they do not depend on data) when
    ``test``; without the as_of-independent models when the raw tables have not
    changed (the selector also leaves out the unit tests)."""
    command = ["build"] if test else ["run"]
    if not raw_data_changed:
        return [*command, "--selector", AS_OF_DEPENDENT_SELECTOR]
    return [*command, "--exclude", "test_type:unit"] if test else command


@dataclass
class DbtProject:
    """The project pointed at one DuckDB file, a PostgreSQL database or a
    local Spark session."""

    db_path: Path | None = None
    project_dir: Path = PROJECT_DIR
    work_dir: Path | None = None
    postgres: PostgresTarget | None = None
    spark: SparkTarget | None = None
    _built_once: bool = field(default=False, init=False)
    _manifest: Any = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.db_path is not None:
            self.db_path = Path(self.db_path).resolve()
            self.work_dir = Path(self.work_dir or self.db_path.parent / f"{self.db_path.stem}.dbt").resolve()
        elif (self.postgres is None and self.spark is None) or self.work_dir is None:
            raise ValueError("DbtProject needs a DuckDB db_path, or a PostgresTarget or SparkTarget and a work_dir")
        else:
            self.work_dir = Path(self.work_dir).resolve()

    def run(self, args: Sequence[str], vars: Mapping[str, Any] | None = None, expect_success: bool = True) -> Any:
        """One dbt command; the project is parsed once per DbtProject. Before
        `dbt seed`, the seed files are checked (scripts/check_seeds.py) so a
        malformed line is named by its file and line, not dbt's record count."""
        assert self.work_dir is not None
        if args[:1] == ["seed"]:
            from scripts.check_seeds import check_seed_files

            problems = check_seed_files(sorted((self.project_dir / "seeds").glob("*.csv")))
            if problems:
                raise DbtRunError("Seed files are malformed; fix them before `dbt seed`:\n" + "\n".join(problems))
        if self._manifest is None and args[:1] != ["parse"]:
            self._manifest = self.run(["parse"]).result
        return run_dbt(
            args,
            project_dir=self.project_dir,
            profiles_dir=self.work_dir,
            db_path=self.db_path,
            vars=vars,
            expect_success=expect_success,
            work_dir=self.work_dir,
            manifest=self._manifest,
            postgres=self.postgres,
            spark=self.spark,
        )

    def daily_run(
        self,
        as_of: str,
        *,
        backfill: bool = False,
        full: bool = False,
        test: bool = False,
        raw_data_changed: bool = True,
        extra_vars: Mapping[str, Any] | None = None,
    ) -> Any:
        """One day of the pipeline. The first run of a process (or ``full``)
        is a whole `dbt build`; later days skip the unit tests (they do not
        depend on data) and run data tests only when ``test``. When the raw
        tables have not changed since the last run (a backfill), the models
        that do not depend on as_of_date are not rebuilt either."""
        vars: dict[str, Any] = {"as_of_date": as_of, **(extra_vars or {})}
        if backfill:
            vars["backfill"] = True
        if full or not self._built_once:
            result = self.run(["build"], vars=vars)
            self._built_once = True
            return result
        return self.run(later_day_command(test=test, raw_data_changed=raw_data_changed), vars=vars)
