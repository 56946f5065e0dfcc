"""A PostgreSQL server of the soak's own: Debian's binaries, a temporary data directory, a
free port, torn down at the end.

Why its own server: the soak restarts it in the middle of the run, and neither the shared
server at 5432 (other people's tests) nor an embedded one (pgserver keeps its own books on
who started it) may be pulled from under anyone for that. initdb and the postmaster refuse
to run as root, so as root every command runs as the `postgres` user (runuser), in a
directory chowned to it.
"""

import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.servers import free_port

DEBIAN_BIN = Path("/usr/lib/postgresql/15/bin")
OS_USER = "postgres"


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", OS_USER, "--", *command] if os.geteuid() == 0 else command


@dataclass
class Cluster:
    root: Path  # data directory, socket, logs: all of it removed at the end
    port: int
    bin_dir: Path

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def log(self) -> Path:
        return self.root / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    def version(self) -> str:
        command = [str(self.bin_dir / "postgres"), "--version"]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        # "postgres (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"
        return done.stdout.strip().partition("(PostgreSQL) ")[2] or done.stdout.strip()

    def _pg_ctl(self, *args: str) -> None:
        # Output to a file, never a pipe: the postmaster inherits it, and a pipe it holds
        # open would keep subprocess.run waiting for an EOF that never comes.
        with (self.root / "pg_ctl.out").open("a") as out:
            command = [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log)]
            subprocess.run(
                _as_server_user([*command, "-w", "-t", "60", *args]),
                stdout=out,
                stderr=subprocess.STDOUT,
                check=True,
            )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        self._pg_ctl("-o", options, "start")

    def restart(self) -> None:
        """Stop (fast: sessions are cut, nothing is lost that was committed) and start again,
        with the options it was started with."""
        self._pg_ctl("-m", "fast", "restart")

    def stop(self) -> None:
        self._pg_ctl("-m", "fast", "stop")


@contextmanager
def cluster(bin_dir: Path = DEBIAN_BIN) -> Iterator[Cluster]:
    """initdb in a temporary directory, start on a free port; stop and delete at the end."""
    for tool in ("initdb", "pg_ctl", "postgres"):
        if not (bin_dir / tool).is_file():
            raise RuntimeError(f"{bin_dir / tool} not found: apt-get install postgresql")
    root = Path(tempfile.mkdtemp(prefix="soak-pg-"))
    if os.geteuid() == 0:
        user = pwd.getpwnam(OS_USER)
        os.chown(root, user.pw_uid, user.pw_gid)
    server = Cluster(root, free_port(), bin_dir)
    try:
        subprocess.run(
            _as_server_user(
                [str(bin_dir / "initdb"), "-D", str(server.data), "-U", "postgres"]
                + ["-A", "trust", "-E", "UTF8", "--no-sync"]
            ),
            capture_output=True,
            text=True,
            check=True,
        )
        server.start()
        try:
            yield server
        finally:
            server.stop()
    finally:
        shutil.rmtree(root, ignore_errors=True)
