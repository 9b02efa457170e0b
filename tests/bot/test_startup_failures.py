"""A process that cannot start says why in one line and exits non-zero; it never hangs (issue 13)."""

from __future__ import annotations

import asyncio
import os
import socket
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.running_bot import TOKEN
from tests.bot.test_cli import legalaid
from tests.bot.test_sigterm import REPO

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


# --- the channels: token, port, knowledge base, data folder -----------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


WECHAT_ENV = {"WECHAT_TOKEN": "t0ken", "WECHAT_APP_ID": "wx123", "WECHAT_APP_SECRET": "s3cret",
              "WECHAT_API_BASE_URL": "http://127.0.0.1:9"}


async def _run(*args: str, env: dict[str, str], cwd: Path, timeout: float = 40) -> tuple[int, str]:
    """`python -m bot.cli …` as a real process; a hang fails the test instead of waiting for ever."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "LEGALAID_", "WECHAT_"))}
    full.update({"PYTHONPATH": str(REPO), "LEGALAID_DATA_DIR": str(cwd / "data"), **env})
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", *args, cwd=cwd, env=full,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        _, err = await asyncio.wait_for(proc.communicate(), timeout)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        pytest.fail(f"`legalaid {' '.join(args)}` hung instead of exiting")
    return proc.returncode, err.decode()


def _one_line(err: str) -> str:
    assert err.count("\n") == 1 and "Traceback" not in err, err
    return err


@pytest.mark.parametrize("token", ["", "   ", "not a token"])
async def test_an_empty_or_malformed_token_is_one_line_and_exit_2(tmp_path, token):
    code, err = await _run("telegram", env={"TELEGRAM_BOT_TOKEN": token}, cwd=tmp_path)
    assert code == 2 and "TELEGRAM_BOT_TOKEN" in _one_line(err)
    assert "not a token" not in err


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_a_token_telegram_rejects_is_one_line_and_exit_1_without_the_token(tmp_path, mode):
    async with FakeBotApi() as api:
        api.fail_next("*", status=401, times=1000)
        args = ["telegram"] + (["--webhook", "https://bot.example/hook", "--port", str(_free_port())]
                               if mode == "webhook" else [])
        code, err = await _run(*args, cwd=tmp_path, env={
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url.removesuffix("/bot"),
            "LEGALAID_WEBHOOK_SECRET": "s" * 32, "LEGALAID_LOG_LEVEL": "ERROR"})
    assert code == 1 and "token" in _one_line(err).lower() and TOKEN not in err


async def test_the_webhook_port_in_use_is_one_line_and_exit_1(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        async with FakeBotApi() as api:
            code, err = await _run(
                "telegram", "--webhook", "https://bot.example/hook", "--port", str(port), cwd=tmp_path,
                env={"TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url.removesuffix("/bot"),
                     "LEGALAID_WEBHOOK_SECRET": "s" * 32, "LEGALAID_LOG_LEVEL": "ERROR"})
    assert code == 1 and str(port) in _one_line(err)


async def test_the_wechat_port_in_use_is_one_line_and_exit_1(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, err = await _run("wechat", "--port", str(port), cwd=tmp_path,
                               env={**WECHAT_ENV, "LEGALAID_LOG_LEVEL": "ERROR"})
    assert code == 1 and str(port) in _one_line(err)


def _broken_faq(tmp_path: Path) -> Path:
    folder = tmp_path / "faq"
    folder.mkdir()
    (folder / "broken.yaml").write_text("entries: [this is: not: valid\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", [("chat",), ("telegram",), ("wechat", "--port", "0")])
@pytest.mark.parametrize("faq", ["missing", "invalid"])
async def test_a_missing_or_invalid_faq_folder_is_one_line_and_exit_1(tmp_path, command, faq):
    folder = tmp_path / "absent" if faq == "missing" else _broken_faq(tmp_path)
    async with FakeBotApi() as api:
        code, err = await _run(*command, cwd=tmp_path, env={
            **WECHAT_ENV, "LEGALAID_FAQ_DIR": str(folder), "LEGALAID_LOG_LEVEL": "ERROR",
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url.removesuffix("/bot")})
    assert code in (1, 2) and str(folder) in _one_line(err)


@pytest.mark.parametrize("command", [("chat",), ("telegram",), ("wechat", "--port", "0"), ("db", "migrate")])
async def test_a_data_folder_that_cannot_be_written_is_one_line_and_exit_1(tmp_path, command):
    # A file where a folder should be: refused even to root (tests run as root, where mode bits are not).
    (tmp_path / "file").write_text("")
    data = tmp_path / "file" / "data"
    async with FakeBotApi() as api:
        code, err = await _run(*command, cwd=tmp_path, env={
            **WECHAT_ENV, "LEGALAID_DATA_DIR": str(data), "LEGALAID_LOG_LEVEL": "ERROR",
            "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_API_BASE_URL": api.base_url.removesuffix("/bot")})
    assert code == 1 and str(tmp_path / "file") in _one_line(err)
