"""A throwaway PostgreSQL primary and its streaming replica on this machine, for
tests/test_db_replica.py: `initdb` for the primary, `pg_basebackup -R` for the standby, each on
a port of its own under a temporary folder, both stopped and removed on exit.

initdb refuses to run as root: as root the clusters run as the `postgres` OS user.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STEP_TIMEOUT = 30  # seconds for any one command
PORTS = range(5442, 5450)
DATABASE = "garden"


def _bin_dir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql/*/bin")
    return Path(found[-1])


def _free_ports(count: int) -> list[int]:
    free = []
    for port in PORTS:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) != 0:
                free.append(port)
        if len(free) == count:
            return free
    raise RuntimeError(f"fewer than {count} free ports in {PORTS.start}-{PORTS.stop - 1}")


@dataclass
class StreamingPair:
    folder: Path
    primary_port: int
    replica_port: int

    @property
    def primary_dir(self) -> Path:
        return self.folder / "primary"

    @property
    def replica_dir(self) -> Path:
        return self.folder / "replica"

    def run(self, program: str, *args: str, **kwargs) -> subprocess.CompletedProcess:
        """A PostgreSQL program as the clusters' owner; fails loudly with its output."""
        as_owner = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        command = [*as_owner, str(_bin_dir() / program), *args]
        result = subprocess.run(  # noqa: S603 (PostgreSQL's own programs, our arguments)
            command, capture_output=True, text=True, timeout=STEP_TIMEOUT, **kwargs
        )
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def sql(self, port: int, query: str) -> str:
        return self.run(
            "psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-d", DATABASE,
            "-v", "ON_ERROR_STOP=1", "-Atc", query,
        ).stdout.strip()  # fmt: skip

    def _start(self, data_dir: Path, port: int) -> None:
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {self.folder}"
        self.run(
            "pg_ctl", "-D", str(data_dir), "-o", options, "-l", str(data_dir.with_suffix(".log")),
            "-w", "-t", str(STEP_TIMEOUT), "start",
        )  # fmt: skip

    def _stop(self, data_dir: Path) -> None:
        if (data_dir / "postmaster.pid").exists():
            self.run("pg_ctl", "-D", str(data_dir), "-m", "immediate", "-w", "stop")

    def start_primary(self, *, schema_from: str) -> None:
        """initdb, start, and load `schema_from` (a database URL: pg_dump of its tables and
        rows) into the database `garden`."""
        self.run("initdb", "-D", str(self.primary_dir), "-U", "postgres", "-A", "trust", "-N")
        with open(self.primary_dir / "postgresql.conf", "a") as conf:
            conf.write(
                "wal_level = replica\nmax_wal_senders = 4\nwal_keep_size = '128MB'\n"
                "fsync = off\nshared_buffers = '32MB'\n"
            )
        self._start(self.primary_dir, self.primary_port)
        self.run("createdb", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
                 DATABASE)  # fmt: skip
        dump = self.run("pg_dump", "--no-owner", "--no-privileges", schema_from).stdout
        self.run(
            "psql", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-d", DATABASE, "-q", "-v", "ON_ERROR_STOP=1", input=dump,
        )  # fmt: skip

    def start_replica(self) -> None:
        """A standby from a base backup of the primary (-R: it streams from it), started."""
        self.run(
            "pg_basebackup", "-h", "127.0.0.1", "-p", str(self.primary_port), "-U", "postgres",
            "-D", str(self.replica_dir), "-R", "-X", "stream", "-c", "fast",
        )  # fmt: skip
        self._start(self.replica_dir, self.replica_port)

    def stop_replica(self) -> None:
        self.run("pg_ctl", "-D", str(self.replica_dir), "-m", "fast", "-w", "stop")

    def stop(self) -> None:
        for data_dir in (self.replica_dir, self.primary_dir):
            try:
                self._stop(data_dir)
            except (RuntimeError, subprocess.TimeoutExpired):
                pass  # removed below all the same; its log is in the test's output


@contextmanager
def streaming_pair(*, schema_from: str) -> Iterator[StreamingPair]:
    """A running primary (with `schema_from`'s tables and rows) and its streaming replica."""
    folder = Path(tempfile.mkdtemp(prefix="cg-replica-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    primary_port, replica_port = _free_ports(2)
    pair = StreamingPair(folder, primary_port, replica_port)
    try:
        pair.start_primary(schema_from=schema_from)
        pair.start_replica()
        yield pair
    finally:
        pair.stop()
        for log in sorted(folder.glob("*.log")):
            print(f"--- {log.name}\n{log.read_text()[-2000:]}")  # shown when the test fails
        shutil.rmtree(folder, ignore_errors=True)
