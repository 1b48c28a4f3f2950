"""A throwaway PostgreSQL server for tests and for trying the project by hand.

    from scripts.postgres_server import running_server
    with running_server() as server:          # installs Debian's postgresql when missing
        server.create_database("customer_groups")
        ...                                   # server.host, server.port, server.user

From the command line (prints the libpq variables to export; the server runs
until ``stop``)::

    python scripts/postgres_server.py start [--dir /tmp/cg-postgres] [--port 54329]
    python scripts/postgres_server.py stop --dir /tmp/cg-postgres

The cluster is initialised in a temporary directory with trust
authentication, listens only on 127.0.0.1 (on a free port unless one is
given) and on a Unix socket inside that directory. PostgreSQL refuses to run
as root, so under root the server runs as the ``postgres`` system user the
package creates (or ``nobody``). It is meant for tests: fsync is off.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

SUPERUSER = "postgres"
STATE_FILE = "server.json"


class PostgresUnavailable(RuntimeError):
    """PostgreSQL is not installed and could not be installed."""


def find_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian layout first)."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda path: int(Path(path).parent.parent.name) if Path(path).parent.parent.name.isdigit() else 0,
    )
    if candidates:
        return Path(candidates[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def ensure_installed() -> Path:
    """Install Debian's ``postgresql`` package when no server binaries exist."""
    bin_dir = find_bin_dir()
    if bin_dir is not None:
        return bin_dir
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise PostgresUnavailable(
            "PostgreSQL server binaries (pg_ctl, initdb) were not found; install them, e.g. "
            "`sudo apt-get install -y postgresql`"
        )
    print("installing PostgreSQL from the distribution's packages (apt-get install postgresql) ...", file=sys.stderr)
    environment = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=environment)
    subprocess.run(
        ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "postgresql"],
        check=True,
        env=environment,
        stdout=subprocess.DEVNULL,
    )
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise PostgresUnavailable("apt-get installed postgresql but pg_ctl is still missing")
    return bin_dir


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_account() -> pwd.struct_passwd | None:
    """The OS account the server runs as: None means the current user."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            return pwd.getpwnam(name)
    raise PostgresUnavailable("running as root and neither a 'postgres' nor a 'nobody' user exists")


@dataclass(frozen=True)
class PostgresServer:
    """A running server: connect to ``host:port`` as ``user`` (no password)."""

    base_dir: Path
    bin_dir: Path
    port: int
    host: str = "127.0.0.1"
    user: str = SUPERUSER

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base_dir / "socket"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host={self.host} port={self.port} user={self.user} dbname={dbname}"

    def environment(self, dbname: str = "postgres") -> dict[str, str]:
        """libpq variables (also read by profiles.yml's postgres target)."""
        return {"PGHOST": self.host, "PGPORT": str(self.port), "PGUSER": self.user, "PGDATABASE": dbname}

    def create_database(self, name: str) -> None:
        """Create database ``name`` unless it exists."""
        import psycopg2

        connection = psycopg2.connect(self.conninfo())
        try:
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("select 1 from pg_database where datname = %s", [name])
                if cursor.fetchone() is None:
                    cursor.execute(f'create database "{name}"')
        finally:
            connection.close()

    def stop(self, remove: bool = True) -> None:
        """Stop the server (fast shutdown) and, by default, delete its files."""
        if (self.data_dir / "postmaster.pid").exists():
            _run_as_server_account(
                [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"], quiet=True
            )
        if remove:
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def save(self) -> None:
        state = {key: str(value) for key, value in asdict(self).items()}
        (self.base_dir / STATE_FILE).write_text(json.dumps(state, indent=2))

    @classmethod
    def load(cls, base_dir: Path) -> PostgresServer:
        state = json.loads((base_dir / STATE_FILE).read_text())
        return cls(
            base_dir=Path(state["base_dir"]),
            bin_dir=Path(state["bin_dir"]),
            port=int(state["port"]),
            host=state["host"],
            user=state["user"],
        )


def _run_as_server_account(command: Sequence[str], quiet: bool = False) -> None:
    account = _server_account()
    extra: dict[str, object] = {}
    if account is not None:
        extra = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
    subprocess.run(
        list(command),
        check=True,
        cwd="/",
        stdout=subprocess.DEVNULL if quiet else None,
        **extra,  # type: ignore[arg-type]
    )


def start_server(base_dir: Path | None = None, port: int | None = None, timezone: str = "UTC") -> PostgresServer:
    """Initialise a cluster in ``base_dir`` (a new temporary directory by
    default) and start it; returns once it accepts connections. ``timezone``
    is every session's default time zone."""
    bin_dir = ensure_installed()
    if base_dir is None:
        base_dir = Path(tempfile.mkdtemp(prefix="customer-groups-postgres-"))
    base_dir.mkdir(parents=True, exist_ok=True)
    server = PostgresServer(base_dir=base_dir.resolve(), bin_dir=bin_dir, port=port or free_port())
    server.socket_dir.mkdir(exist_ok=True)
    account = _server_account()
    if account is not None:
        for path in (server.base_dir, server.socket_dir):
            os.chown(path, account.pw_uid, account.pw_gid)
    server.save()
    _run_as_server_account(
        [
            str(bin_dir / "initdb"),
            "-D",
            str(server.data_dir),
            "-U",
            server.user,
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C",
        ],
        quiet=True,
    )
    options = (
        f"-p {server.port} -k {server.socket_dir} -c listen_addresses={server.host}"
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        f" -c timezone={timezone}"
    )
    try:
        _run_as_server_account(
            [
                str(bin_dir / "pg_ctl"),
                "-D",
                str(server.data_dir),
                "-l",
                str(server.log_file),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ],
            quiet=True,
        )
    except subprocess.CalledProcessError as error:
        log = server.log_file.read_text() if server.log_file.exists() else "(no log)"
        server.stop()
        raise PostgresUnavailable(f"PostgreSQL did not start: {error}\n{log[-3000:]}") from error
    _wait_until_ready(server)
    return server


def _wait_until_ready(server: PostgresServer, timeout_seconds: float = 30.0) -> None:
    import psycopg2

    deadline = time.monotonic() + timeout_seconds
    while True:
        try:
            psycopg2.connect(server.conninfo(), connect_timeout=2).close()
            return
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@contextlib.contextmanager
def running_server(
    base_dir: Path | None = None, port: int | None = None, timezone: str = "UTC"
) -> Iterator[PostgresServer]:
    """A started server, stopped and deleted when the block ends (even on error)."""
    server = start_server(base_dir, port, timezone)
    try:
        yield server
    finally:
        server.stop()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start or stop a throwaway local PostgreSQL server.")
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--dir", type=Path, help="server directory (start: default a new temporary one)")
    parser.add_argument("--port", type=int, help="port on 127.0.0.1 (start: default a free one)")
    parser.add_argument("--database", default="customer_groups", help="database to create (start)")
    args = parser.parse_args(argv)
    if args.action == "stop":
        if args.dir is None:
            parser.error("stop needs --dir")
        PostgresServer.load(args.dir).stop()
        print(f"stopped and removed {args.dir}")
        return 0
    server = start_server(args.dir, args.port)
    server.create_database(args.database)
    for name, value in server.environment(args.database).items():
        print(f"export {name}={value}")
    print(f"# stop with: python scripts/postgres_server.py stop --dir {server.base_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
