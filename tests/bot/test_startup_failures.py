"""A process that cannot start says why in one line and exits non-zero; it never hangs (issue 13)."""

from __future__ import annotations

import os
import sqlite3
import stat

import pytest

from tests.bot.test_cli import legalaid

pytestmark = pytest.mark.timeout(60)


def _make_database(data_dir) -> None:
    done = legalaid("db", "migrate", data_dir=data_dir)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("command", [("lawyers", "list"), ("db", "migrate"), ("chat",)])
def test_a_corrupt_database_gives_one_line_and_a_non_zero_exit(tmp_path, command):
    _make_database(tmp_path)
    with open(tmp_path / "legalaid.sqlite3", "r+b") as db:
        db.write(b"this is not a database at all" * 10)
    done = legalaid(*command, data_dir=tmp_path)  # returns: the test's timeout would catch a hang
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "legalaid.sqlite3" in done.stderr, done.stderr


def test_a_database_from_a_newer_version_is_refused_by_migrate_and_health(tmp_path):
    _make_database(tmp_path)
    with sqlite3.connect(tmp_path / "legalaid.sqlite3") as conn:
        conn.execute("PRAGMA user_version = 99")
    migrate = legalaid("db", "migrate", data_dir=tmp_path)
    assert migrate.returncode == 1 and "99" in migrate.stderr and migrate.stderr.count("\n") == 1
    health = legalaid("health", data_dir=tmp_path)
    assert health.returncode == 1 and "99" in health.stderr


def test_the_data_folder_is_private_and_a_backup_never_writes_through_a_link(tmp_path):
    data = tmp_path / "data"
    _make_database(data)
    assert stat.S_IMODE(os.stat(data).st_mode) == 0o700
    victim = tmp_path / "elsewhere.txt"
    victim.write_text("keep me")
    (tmp_path / "backup.sqlite3").symlink_to(victim)
    done = legalaid("db", "backup", str(tmp_path / "backup.sqlite3"), data_dir=data)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert victim.read_text() == "keep me"
