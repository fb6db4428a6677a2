"""A throwaway PostgreSQL cluster for the insights store's tests.

Debian's server binaries (installed by `make test`) live under /usr/lib/postgresql/*/bin. The
cluster is made with initdb in a temporary folder and started with pg_ctl on a free port, once
per test session; each test gets a new empty database in it. initdb refuses to run as root, so
as root the commands run as the ``postgres`` user with the folder given to that user.

SIGNPOST_SKIP_POSTGRES=1 skips the PostgreSQL tests; otherwise a missing PostgreSQL fails.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from tests.conftest import free_port

USER = "signpost"


def _binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))
    found = [path for path in found if Path(path, "initdb").exists()]
    return Path(found[-1]) if found else None


def _as_owner(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    runuser = shutil.which("runuser")
    if runuser:
        return [runuser, "-u", "postgres", "--", *command]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(command)]


class Cluster:
    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/postgres"

    def new_database(self) -> str:
        """A fresh empty database; its SQLAlchemy URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        dsn = f"host=127.0.0.1 port={self.port} user={USER} dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return f"postgresql+psycopg://{USER}@127.0.0.1:{self.port}/{name}"


def start_cluster() -> Cluster:
    if os.environ.get("SIGNPOST_SKIP_POSTGRES", "") not in ("", "0"):
        pytest.skip("SIGNPOST_SKIP_POSTGRES is set")
    binaries = _binaries()
    if binaries is None:
        pytest.fail(
            "PostgreSQL is missing (no /usr/lib/postgresql/*/bin/initdb): `make test` installs "
            "it (Debian package postgresql), or set SIGNPOST_SKIP_POSTGRES=1 to skip these tests."
        )
    folder = Path(tempfile.mkdtemp(prefix="signpost-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    init = subprocess.run(
        _as_owner([str(binaries / "initdb"), "-D", str(data), "-U", USER, "-A", "trust",
                   "-E", "UTF8", "--locale=C", "--no-sync"]),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if init.returncode:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"initdb failed: {init.stderr or init.stdout}")
    port = free_port()
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    started = subprocess.run(
        _as_owner([str(binaries / "pg_ctl"), "-D", str(data), "-o", options,
                   "-l", str(folder / "server.log"), "-w", "-t", "30", "start"]),
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if started.returncode:
        log_file = folder / "server.log"
        log = log_file.read_text(errors="replace") if log_file.exists() else ""
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start: {started.stderr}\n{log[-2000:]}")
    return Cluster(folder, port)


def stop_cluster(cluster: Cluster) -> None:
    binaries = _binaries()
    if binaries is not None:
        subprocess.run(
            _as_owner([str(binaries / "pg_ctl"), "-D", str(cluster.folder / "data"), "-m",
                       "immediate", "-w", "stop"]),
            capture_output=True, check=False,
        )  # fmt: skip
    shutil.rmtree(cluster.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster():
    """One PostgreSQL server for the session (see the module docstring)."""
    cluster = start_cluster()
    yield cluster
    stop_cluster(cluster)
