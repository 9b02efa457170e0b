"""Shared fixtures: settings in a temporary folder, a runtime with a controlled clock."""

from __future__ import annotations

import asyncio
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# Opt in to python-telegram-bot's future timedelta API so its deprecation warnings stay quiet.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from common.config import Settings
from bot.runtime import Runtime
from storage.db import opened
from tests.auxil.chat import Chat
from tests.auxil.postgres import MISSING, PostgresServer, binaries

SHANGHAI = ZoneInfo("Asia/Shanghai")


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    # A Thursday that is an ordinary working day.
    return Clock(datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI))


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing():  # yields the shipped hasher
    """argon2 at its cheapest parameters in this process: at the shipped ones each hash and each
    sign-in costs about half a second of CPU, and the console tests make hundreds. Nothing here tests
    argon2's strength (tests/web/test_security.py checks the shipped parameters); bots and CLIs run
    as separate processes still hash at the shipped cost."""
    from argon2 import PasswordHasher, profiles

    from services import accounts

    shipped = accounts._hasher
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
        accounts._dummy_hash.cache_clear()
        yield shipped
    accounts._dummy_hash.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def one_matcher_per_knowledge_base():
    """Runtime.open builds the matcher (~70 ms of CPU) for every test that opens a runtime, from the
    same files: build it once per distinct knowledge base in this process and share it. Matcher keeps
    no state between questions; a rebuild after a staff edit (thresholds given) still builds its own."""
    from faq.matcher import Matcher
    from services import knowledge

    built: dict[tuple, Matcher] = {}

    def shared(kb, *args, **kwargs) -> Matcher:
        if args or kwargs:
            return Matcher(kb, *args, **kwargs)
        key = (tuple(e.model_dump_json() for e in kb.entries), tuple(sorted(kb.files.items())))
        if key not in built:
            built[key] = Matcher(kb)
        return built[key]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(knowledge, "Matcher", shared)
        yield


@pytest.fixture(scope="session")
def postgres_server():
    """One throwaway PostgreSQL server per session (per xdist worker), or a skip saying why not."""
    bin_dir = binaries()
    if bin_dir is None:
        pytest.skip(MISSING)
    server = PostgresServer(bin_dir)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A SQLite file with every migration applied, made once per session (per xdist worker): copying
    it costs a millisecond, applying the 16 migrations to each test's database ~0.2 s."""
    path = tmp_path_factory.mktemp("template") / "legalaid.sqlite3"

    async def migrate() -> None:
        async with opened(f"sqlite:///{path}"):
            pass  # opening migrates; closing folds the write-ahead log into the file

    with ThreadPoolExecutor(1) as pool:  # its own event loop, whatever loop the asking test runs in
        pool.submit(asyncio.run, migrate()).result()
    return path


@pytest.fixture
def backend() -> str:
    """The database the test runs on; tests/storage and tests/services run on both (their conftest)."""
    return "sqlite"


@pytest.fixture
async def database_url(backend, tmp_path, request):
    """sqlite: the file in the data folder, as when LEGALAID_DATABASE_URL is unset; postgresql: a fresh
    database of its own on the session's server. Both start with every migration applied, copied
    from a template (tests/storage/test_db.py opens fresh files to test the migrations themselves)."""
    if backend == "sqlite":
        # A copy of the migrated template, made as the bot makes its own (folder 0700, file 0600).
        path = tmp_path / "data" / "legalaid.sqlite3"
        path.parent.mkdir(mode=0o700)
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        path.chmod(0o600)
        yield f"sqlite:///{path}"
        return
    server = request.getfixturevalue("postgres_server")
    url = await server.new_database()
    yield url
    await server.drop(url)


@pytest.fixture
def settings(tmp_path, monkeypatch, backend, database_url) -> Settings:
    for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_API_BASE_URL", "LEGALAID_STAFF_IDS", "LEGALAID_FAQ_DIR",
                 "LEGALAID_DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    # The test clock stands still while a test types quickly: lift the per-person limit here
    # (tests/handlers/test_robustness.py checks the limit itself).
    return Settings(_env_file=None, LEGALAID_DATA_DIR=str(tmp_path / "data"), LEGALAID_RATE_LIMIT_PER_MINUTE=10_000,
                    LEGALAID_DATABASE_URL=None if backend == "sqlite" else database_url)


@pytest.fixture
async def runtime(settings, clock):
    rt = await Runtime.open(settings, clock)
    yield rt
    await rt.close()


@pytest.fixture
def chat(runtime) -> Chat:
    return Chat(runtime, channel="console", user_id="elder-1")


# The longest tests (real processes, the quick bench, the browser), started first: pytest-xdist hands
# tests out in collection order (one or two at a time, pyproject.toml), and one of these started
# last would keep one worker busy alone at the end while the other idles.
SLOW_FIRST = (
    "tests/bench/test_smoke.py",
    "tests/handlers/test_forged_buttons.py",
    "tests/process/",
    "tests/bot/test_cli.py",
    "tests/bot/test_startup_failures.py",
    "tests/web/test_browser_journeys.py",
    "tests/web/test_cli.py",
    "tests/bot/test_sigterm.py",
    "tests/bot/test_wechat.py::test_a_thousand_concurrent_messages_get_exactly_one_answer_each",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        return next((n for n, prefix in enumerate(SLOW_FIRST) if item.nodeid.startswith(prefix)), len(SLOW_FIRST))

    items.sort(key=rank)  # stable: the order within each file stays as written
