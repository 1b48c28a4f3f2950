"""Everything a local Spark session needs to hold the project in Iceberg tables.

Iceberg's Spark runtime comes from the PyPI package
``snowpark-connect-deps-iceberg`` (the official Apache Iceberg jar,
``iceberg-spark-runtime-3.5_2.12``). That jar calls Jackson under Iceberg's
relocated package name (``org.apache.iceberg.shaded.com.fasterxml.jackson``)
but does not carry those classes. This script builds them once: it copies
pyspark's own Jackson jars into a new jar with every class name moved to that
package (what Maven's shade plugin did when Iceberg was built), by rewriting
the class files' constant pools. The result is cached (by default in
``~/.cache/customer_groups/spark``), so later runs only check it is there.

    python scripts/spark_setup.py              # prints the variables to export
    eval "$(python scripts/spark_setup.py --shell)"
    dbt build --target spark                   # profiles.yml.example's spark target

From Python (tests, scripts)::

    from scripts.spark_setup import spark_settings
    settings = spark_settings(warehouse_dir=Path("/tmp/cg-spark"))   # Spark config -> value

The settings make ``spark_catalog`` Iceberg's ``SparkSessionCatalog`` on an
embedded Hive metastore (Derby) in ``warehouse_dir``: tables are Iceberg
(MERGE, DELETE, UPDATE, NOT NULL columns), views are Hive views, and dbt-spark
sees one ordinary two-part catalog. The session time zone is UTC.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shlex
import struct
import sys
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path

ICEBERG_RUNTIME_PREFIX = "iceberg-spark-runtime-3.5_2.12-"
JACKSON_JARS = ("jackson-annotations", "jackson-core", "jackson-databind", "jackson-datatype-jsr310")
RELOCATED_PREFIX = "org/apache/iceberg/shaded/"
_MOVED = (b"com/fasterxml/jackson/", b"com.fasterxml.jackson.")
DEFAULT_CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "customer_groups" / "spark"
DEFAULT_WAREHOUSE_DIR = Path(__file__).resolve().parent.parent / "warehouse" / "spark"


class SparkSetupError(RuntimeError):
    """A piece of the local Spark installation is missing."""


def iceberg_runtime_jar() -> Path:
    """The Iceberg runtime jar for Spark 3.5 / Scala 2.12 shipped by
    ``snowpark-connect-deps-iceberg``."""
    try:
        import snowpark_connect_deps_iceberg
    except ImportError:
        raise SparkSetupError(
            "package snowpark-connect-deps-iceberg is not installed: pip install -r requirements.txt"
        ) from None
    jars = sorted((Path(snowpark_connect_deps_iceberg.__file__).parent / "jars").glob(f"{ICEBERG_RUNTIME_PREFIX}*.jar"))
    if not jars:
        raise SparkSetupError(f"no {ICEBERG_RUNTIME_PREFIX}*.jar inside snowpark-connect-deps-iceberg")
    return jars[-1]


def pyspark_jars_dir() -> Path:
    try:
        import pyspark
    except ImportError:
        raise SparkSetupError("pyspark is not installed: pip install -r requirements.txt") from None
    return Path(pyspark.__file__).parent / "jars"


def _jackson_sources() -> list[Path]:
    folder = pyspark_jars_dir()
    found = []
    for name in JACKSON_JARS:
        matches = sorted(folder.glob(f"{name}-2.*.jar"))
        if not matches:
            raise SparkSetupError(f"pyspark ships no {name} jar in {folder}")
        found.append(matches[-1])
    return found


# --------------------------------------------------------------------------
# Relocating class files
# --------------------------------------------------------------------------

# Constant pool tags and the size of their fixed part (JVM spec 4.4).
_FIXED_SIZES = {3: 4, 4: 4, 5: 8, 6: 8, 7: 2, 8: 2, 9: 4, 10: 4, 11: 4, 12: 4, 15: 3, 16: 2, 17: 4, 18: 4, 19: 2, 20: 2}
_UTF8 = 1


def _relocate_text(data: bytes) -> bytes:
    for moved in _MOVED:
        prefix = RELOCATED_PREFIX.encode() if moved.endswith(b"/") else RELOCATED_PREFIX.replace("/", ".").encode()
        data = data.replace(moved, prefix + moved)
    return data


def relocate_class(data: bytes) -> bytes:
    """A class file with every Jackson class name (and dotted name in a
    string constant) moved under ``org.apache.iceberg.shaded``. Only the
    constant pool holds names, so only it is rewritten; the rest is copied."""
    if data[:4] != b"\xca\xfe\xba\xbe":
        raise ValueError("not a class file")
    (count,) = struct.unpack_from(">H", data, 8)
    out = io.BytesIO()
    out.write(data[:10])
    position, index = 10, 1
    while index < count:
        tag = data[position]
        if tag == _UTF8:
            (length,) = struct.unpack_from(">H", data, position + 1)
            text = _relocate_text(data[position + 3 : position + 3 + length])
            out.write(struct.pack(">BH", _UTF8, len(text)) + text)
            position += 3 + length
        elif tag in _FIXED_SIZES:
            size = 1 + _FIXED_SIZES[tag]
            out.write(data[position : position + size])
            position += size
        else:
            raise ValueError(f"unknown constant pool tag {tag} at entry {index}")
        index += 2 if tag in (5, 6) else 1
    out.write(data[position:])
    return out.getvalue()


def _relocated_entries(jar: Path) -> Iterable[tuple[str, bytes]]:
    with zipfile.ZipFile(jar) as archive:
        for name in archive.namelist():
            if name.endswith("/") or name.startswith("META-INF/versions/") or name.endswith("module-info.class"):
                continue
            if name.endswith(".class"):
                yield _relocate_text(name.encode()).decode(), relocate_class(archive.read(name))
            elif name.startswith("META-INF/services/"):
                yield _relocate_text(name.encode()).decode(), _relocate_text(archive.read(name))


def relocated_jackson_jar(cache_dir: Path = DEFAULT_CACHE_DIR) -> Path:
    """The jar of pyspark's Jackson classes under Iceberg's shaded package,
    built on first use and cached (its name carries a hash of its inputs)."""
    sources = _jackson_sources()
    digest = hashlib.sha256("|".join(f"{p.name}:{p.stat().st_size}" for p in sources).encode()).hexdigest()[:12]
    target = Path(cache_dir) / f"iceberg-shaded-jackson-{digest}.jar"
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.partial")
    seen: set[str] = set()
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\nCreated-By: scripts/spark_setup.py\n")
        for source in sources:
            for name, data in _relocated_entries(source):
                if name not in seen:
                    seen.add(name)
                    archive.writestr(name, data)
    partial.replace(target)  # atomic: a concurrent run sees a whole jar or none
    return target


# --------------------------------------------------------------------------
# Spark settings
# --------------------------------------------------------------------------


def spark_jars(cache_dir: Path = DEFAULT_CACHE_DIR) -> str:
    """The value of ``spark.jars``: the Iceberg runtime and its Jackson."""
    return ",".join(str(jar) for jar in (iceberg_runtime_jar(), relocated_jackson_jar(cache_dir)))


def spark_settings(
    warehouse_dir: Path = DEFAULT_WAREHOUSE_DIR,
    cache_dir: Path = DEFAULT_CACHE_DIR,
    *,
    shuffle_partitions: int = 4,
    driver_memory: str = "4g",
) -> dict[str, str]:
    """The Spark configuration of a local session that stores the project in
    Iceberg tables under ``warehouse_dir`` (metastore and data files)."""
    warehouse_dir = Path(warehouse_dir).resolve()
    return {
        "spark.master": "local[2]",
        "spark.driver.memory": driver_memory,
        "spark.jars": spark_jars(cache_dir),
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        "spark.sql.catalog.spark_catalog": "org.apache.iceberg.spark.SparkSessionCatalog",
        "spark.sql.catalog.spark_catalog.type": "hive",
        "spark.sql.sources.default": "iceberg",
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": str(warehouse_dir / "tables"),
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={warehouse_dir / 'metastore_db'};create=true",
        # The embedded metastore has no lock service; Iceberg commits are
        # still atomic (one writer: this session).
        "spark.hadoop.iceberg.engine.hive.lock-enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.driver.extraJavaOptions": f"-Duser.timezone=UTC -Dderby.system.home={warehouse_dir}",
        # Small local data: a few shuffle partitions, not Spark's 200.
        "spark.sql.shuffle.partitions": str(shuffle_partitions),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.ansi.enabled": "false",
    }


def environment(warehouse_dir: Path = DEFAULT_WAREHOUSE_DIR, cache_dir: Path = DEFAULT_CACHE_DIR) -> dict[str, str]:
    """The variables profiles.yml.example's spark target reads."""
    return {
        "CUSTOMER_GROUPS_SPARK_JARS": spark_jars(cache_dir),
        "CUSTOMER_GROUPS_SPARK_WAREHOUSE": str(Path(warehouse_dir).resolve()),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Prepare the Iceberg jars for a local Spark session.")
    parser.add_argument("--warehouse", type=Path, default=DEFAULT_WAREHOUSE_DIR, help="metastore and table files")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE_DIR, help="where the relocated jar is kept")
    parser.add_argument("--shell", action="store_true", help="print only `export` lines, for eval")
    args = parser.parse_args(argv)
    try:
        variables = environment(args.warehouse, args.cache_dir)
    except SparkSetupError as error:
        print(f"spark_setup: {error}", file=sys.stderr)
        return 1
    for name, value in variables.items():
        print(f"export {name}={shlex.quote(value)}")
    if not args.shell:
        print("# then: dbt build --target spark   (profiles.yml.example's spark target)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
