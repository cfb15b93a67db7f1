"""A real, throwaway PostgreSQL server for the tests of the distributed deployment
(deploy/postgres/dagster.yaml, docs/deploy.md).

The Debian package ``postgresql`` provides the binaries (``make test`` installs it where it is
missing, as it installs chromium); without them the fixture fails, naming what to install, and
never skips. One server per test session, on 127.0.0.1 and a free port, its data in a temporary
folder deleted at the end; each test gets its own database and role with a password
(``postgres_database``), so tests never see each other's runs.

PostgreSQL refuses to run as root: when the tests do (CI runs ``make test`` as root), the server
runs as the ``postgres`` system user the Debian package creates, through ``runuser``, its folder
owned by that user.

Use:

    def test_something(postgres_database, tmp_path):
        home = write_postgres_dagster_home(tmp_path / "dagster_home", postgres_database)
        subprocess.run([...], env={**os.environ, **home.env})   # DAGSTER_HOME and DAGSTER_PG_*
        with home.instance() as instance:                        # a fresh DagsterInstance on it
            ...
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
POSTGRES_DAGSTER_YAML = REPO / "deploy" / "postgres" / "dagster.yaml"
# the variables deploy/postgres/dagster.yaml reads
PG_ENV_NAMES = ("DAGSTER_PG_HOST", "DAGSTER_PG_PORT", "DAGSTER_PG_USER", "DAGSTER_PG_PASSWORD", "DAGSTER_PG_DB")
# the system user of the Debian package, which runs the server when the tests run as root
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
START_TIMEOUT = 60


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL server binaries here, or the server would not start."""


def find_bin_dir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb, pg_ctl and postgres."""
    candidates = []
    for folder in glob.glob("/usr/lib/postgresql/*/bin"):
        version = Path(folder).parent.name
        if all(os.access(os.path.join(folder, name), os.X_OK) for name in ("initdb", "pg_ctl", "postgres")):
            candidates.append((int(version) if version.isdigit() else 0, Path(folder)))
    if not candidates:
        raise PostgresUnavailable(
            "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin: `make test` installs the "
            "Debian package postgresql (apt-get install postgresql)")
    return max(candidates)[1]


@dataclass(frozen=True)
class PostgresDatabase:
    """Connection parameters of one database and its owner role, on the test server."""

    host: str
    port: int
    user: str
    password: str
    db_name: str

    @property
    def env(self) -> dict[str, str]:
        """The variables deploy/postgres/dagster.yaml reads."""
        return {"DAGSTER_PG_HOST": self.host, "DAGSTER_PG_PORT": str(self.port), "DAGSTER_PG_USER": self.user,
                "DAGSTER_PG_PASSWORD": self.password, "DAGSTER_PG_DB": self.db_name}

    def connect(self):
        """A psycopg2 connection as the owner role, over TCP with its password (autocommit)."""
        import psycopg2

        connection = psycopg2.connect(host=self.host, port=self.port, user=self.user, password=self.password,
                                      dbname=self.db_name, connect_timeout=10)
        connection.autocommit = True
        return connection


@dataclass
class PostgresServer:
    """A running server: data in ``root/data``, its Unix socket in ``root/socket``."""

    bin_dir: Path
    root: Path
    port: int
    host: str = "127.0.0.1"
    run_as: str | None = None  # the system user running the server when the tests run as root
    _databases: int = field(default=0, repr=False)

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "socket"

    @property
    def log(self) -> Path:
        return self.root / "server.log"

    def command(self, *args: str) -> list[str]:
        prefix = ["runuser", "-u", self.run_as, "--"] if self.run_as else []
        return [*prefix, *args]

    def admin(self):
        """A superuser connection over the Unix socket (trust: local to this machine's users)."""
        import psycopg2

        connection = psycopg2.connect(host=str(self.socket_dir), port=self.port, user=SUPERUSER, dbname="postgres")
        connection.autocommit = True
        return connection

    def create_database(self, label: str = "test") -> PostgresDatabase:
        """A new database owned by a new role with a random password."""
        from psycopg2 import sql

        self._databases += 1
        name = f"{re.sub(r'[^a-z0-9]+', '_', label.lower()).strip('_')[:40] or 'test'}_{self._databases}"
        password = secrets.token_urlsafe(16)
        with contextlib.closing(self.admin()) as admin, admin.cursor() as cursor:
            cursor.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD %s").format(sql.Identifier(name)), (password,))
            cursor.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(name), sql.Identifier(name)))
        return PostgresDatabase(self.host, self.port, name, password, name)

    def server_log(self) -> str:
        try:
            return self.log.read_text(errors="replace")[-4000:]
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _run(server: PostgresServer, *args: str, timeout: float = START_TIMEOUT) -> subprocess.CompletedProcess:
    return subprocess.run(server.command(*args), capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, cwd=server.root)


def _postmaster_pid(server: PostgresServer) -> int | None:
    try:
        first = (server.data / "postmaster.pid").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    return int(first) if first.strip().isdigit() else None


def stop(server: PostgresServer) -> None:
    """Fast shutdown (SIGINT to the postmaster: sessions ended, clean checkpoint); immediate
    shutdown (SIGQUIT) if it is not down within 30 s."""
    pid = _postmaster_pid(server)
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGINT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.1)
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGQUIT)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie child of ours is gone for every purpose
    with contextlib.suppress(OSError):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if state == "Z":
            return False
    return True


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """Start a throwaway server; stop it and delete its folder on the way out, however it goes."""
    bin_dir = find_bin_dir()
    run_as = None
    if os.geteuid() == 0:
        try:
            system_user = pwd.getpwnam(SYSTEM_USER)
        except KeyError:
            raise PostgresUnavailable(
                f"the tests run as root, which PostgreSQL refuses, and there is no `{SYSTEM_USER}` system user "
                "to run it as: install the Debian package postgresql, which creates it") from None
        if shutil.which("runuser") is None:
            raise PostgresUnavailable("the tests run as root and runuser (util-linux) is missing")
        run_as = SYSTEM_USER
    # directly under the system temporary folder: pytest's own tmp folders are private to root,
    # where the postgres user could not reach its data
    root = Path(tempfile.mkdtemp(prefix="reform-pg-"))
    server = None
    try:
        if run_as:
            os.chown(root, system_user.pw_uid, system_user.pw_gid)
        server = PostgresServer(bin_dir, root, port=0, run_as=run_as)
        server.socket_dir.mkdir()
        if run_as:
            os.chown(server.socket_dir, system_user.pw_uid, system_user.pw_gid)
        # local (Unix socket) connections trusted for the fixture's own administration; TCP,
        # as Dagster connects, only with a password
        init = _run(server, str(bin_dir / "initdb"), "-D", str(server.data), "-U", SUPERUSER, "-E", "UTF8",
                    "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync")
        if init.returncode != 0:
            raise PostgresUnavailable(f"initdb failed ({init.returncode}):\n{init.stdout}\n{init.stderr}")
        for attempt in range(3):
            server.port = free_port()
            # a throwaway server: no fsync, no full-page writes (nothing to recover after a crash)
            options = (f"-h {server.host} -p {server.port} -k {server.socket_dir} -c fsync=off "
                       "-c synchronous_commit=off -c full_page_writes=off")
            started = _run(server, str(bin_dir / "pg_ctl"), "-D", str(server.data), "-l", str(server.log),
                           "-w", "-t", str(START_TIMEOUT), "-o", options, "start", timeout=START_TIMEOUT + 10)
            if started.returncode == 0:
                break
            stop(server)
            # another process took the port between the probe and the start: try another one
            if "could not bind" not in server.server_log() or attempt == 2:
                raise PostgresUnavailable(f"PostgreSQL did not start ({started.returncode}):\n{started.stdout}\n"
                                          f"{started.stderr}\n{server.server_log()}")
        yield server
    finally:
        if server is not None:
            stop(server)
        shutil.rmtree(root, ignore_errors=True)


# -- DAGSTER_HOME on PostgreSQL -----------------------------------------------------------------


@dataclass(frozen=True)
class PostgresDagsterHome:
    """A DAGSTER_HOME holding deploy/postgres/dagster.yaml, and the variables pointing it at a
    database."""

    path: Path
    database: PostgresDatabase

    @property
    def env(self) -> dict[str, str]:
        """DAGSTER_HOME and DAGSTER_PG_*: merge into a Dagster process's environment."""
        return {"DAGSTER_HOME": str(self.path), **self.database.env}

    @contextlib.contextmanager
    def instance(self):
        """A fresh DagsterInstance of this home, the DAGSTER_PG_* variables set in this process
        while it is open (Dagster reads them whenever it loads a part of the instance)."""
        from dagster import DagsterInstance

        saved = {name: os.environ.get(name) for name in self.env}
        os.environ.update(self.env)
        try:
            with DagsterInstance.from_config(str(self.path)) as instance:
                yield instance
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def write_postgres_dagster_home(folder: Path, database: PostgresDatabase) -> PostgresDagsterHome:
    """``folder`` as a DAGSTER_HOME whose dagster.yaml is a copy of deploy/postgres/dagster.yaml
    (the file the deployment ships, not a test variant), for ``database``."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(POSTGRES_DAGSTER_YAML, folder / "dagster.yaml")
    return PostgresDagsterHome(folder, database)


# -- pytest fixtures (imported by reform_pipeline_tests/conftest.py) ------------------------------


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One real PostgreSQL server for the whole session; fails (never skips) where there is none."""
    with running_postgres() as server:
        yield server


@pytest.fixture
def postgres_database(postgres_server, request) -> PostgresDatabase:
    """A database of its own for this test, with its owner role and password."""
    return postgres_server.create_database(request.node.name)
