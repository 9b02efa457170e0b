"""A throwaway PostgreSQL server for tests, from the machine's own binaries (/usr/lib/postgresql/*/bin).

initdb and pg_ctl run as the unprivileged `postgres` user when the tests run as root (PostgreSQL
refuses root), into a temporary folder with its own unix-socket folder and a free port. One server
per test session (per xdist worker); each test gets a database of its own, made from a template
that has every migration applied.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import asyncpg

MISSING = ("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin (install the postgresql package):"
           " the PostgreSQL half of the storage tests is skipped")


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    def __init__(self, bin_dir: Path):
        self.bin = bin_dir
        self.root = Path(tempfile.mkdtemp(prefix="legalaid-pg-"))
        self.port = _free_port()
        self.template: str | None = None
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    @property
    def url(self) -> str:
        return self.url_of("postgres")

    def url_of(self, name: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str) -> None:
        subprocess.run([*self._as_postgres, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
        data, sockets = self.root / "data", self.root / "sockets"
        self._run(str(self.bin / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        self._run("mkdir", "-m", "0700", str(sockets))
        options = (f"-p {self.port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
                   " -c synchronous_commit=off -c full_page_writes=off -c max_connections=300")
        self._run(str(self.bin / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(self.root / "log"),
                  "-w", "-t", "60", "start")

    def stop(self) -> None:
        try:
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    async def new_database(self) -> str:
        """A fresh database with every migration applied (copied from a template made once)."""
        from storage.db import opened

        conn = await asyncpg.connect(self.url)
        try:
            if self.template is None:
                template = f"template_{uuid.uuid4().hex[:12]}"
                await conn.execute(f"CREATE DATABASE {template}")
                async with opened(self.url_of(template)):
                    pass  # opening migrates
                self.template = template
            name = f"t_{uuid.uuid4().hex[:16]}"
            await conn.execute(f"CREATE DATABASE {name} TEMPLATE {self.template}")
        finally:
            await conn.close()
        return self.url_of(name)

    async def empty_database(self) -> str:
        """A database with nothing in it, not even the migrations."""
        name = f"e_{uuid.uuid4().hex[:16]}"
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(f"CREATE DATABASE {name}")
        finally:
            await conn.close()
        return self.url_of(name)

    async def drop(self, url: str) -> None:
        conn = await asyncpg.connect(self.url)
        try:
            await conn.execute(f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")
        finally:
            await conn.close()
