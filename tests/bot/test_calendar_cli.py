"""`legalaid calendar`, run as a person would run it: the same changes as 日历与名额, kept with who
and when, and one line with exit status 2 for anything wrong with the arguments."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta

import pytest

from services import calendar_admin
from services.actor import Actor
from services.context import Services
from storage.bookings import BookingDraft, BookingStore
from storage.db import opened
from tests.bot.test_cli import legalaid
from tests.conftest import SHANGHAI

# Real processes, each importing the service layer: slow on a busy machine.
pytestmark = pytest.mark.timeout(180)


def ahead(days: int) -> date:
    """A weekday `days` or more from today (the CLI runs on the real clock)."""
    day = date.today() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def run(data_dir, *args: str):
    return legalaid("calendar", *args, data_dir=data_dir)


async def _page(data_dir, settings):
    async with opened(f"sqlite:///{data_dir / 'legalaid.sqlite3'}") as db:
        services = Services.over(db, settings)
        return await calendar_admin.page(services, Actor.staff("test"), date.today())


def page(data_dir, settings):
    return asyncio.run(_page(data_dir, settings))


async def _book(data_dir, day: date) -> str:
    async with opened(f"sqlite:///{data_dir / 'legalaid.sqlite3'}") as db:
        store = BookingStore(db, SHANGHAI)
        draft = BookingDraft("console", "elder-1", "柯城区", day, "pm", "张三", "13812345678", "self", "府山街道",
                             "某路1号", "立遗嘱", datetime.now(SHANGHAI))
        return (await store.create(draft, 2, "req-1", datetime.now(SHANGHAI), {})).booking.ref


def test_close_list_and_reopen_a_half_day_with_who_and_why(tmp_path, settings):
    data, day = tmp_path / "data", ahead(10)
    assert run(data, "list").returncode == 0  # creates the database, as any staff command does
    ref = asyncio.run(_book(data, day))
    done = run(data, "close", day.isoformat(), "--county", "柯城区", "--half", "pm", "--reason", "培训", "--by", "李芳")
    assert done.returncode == 0, done.stderr
    assert f"closed: {day} 柯城区 pm: 培训" in done.stdout and f"still booked: {ref}" in done.stdout
    [closed] = page(data, settings).closed
    assert (closed.closure.county, closed.closure.window, closed.closure.closed_by) == ("柯城区", "pm", "cli:李芳")
    listed = run(data, "list", "--county", "柯城区", "--days", "30").stdout
    assert f"{day} 柯城区 pm: 培训  (cli:李芳," in listed and ref in listed
    assert f"{day} 柯城区" not in run(data, "list", "--county", "江山市", "--days", "30").stdout
    assert "培训" not in run(data, "list", "--days", "5").stdout  # beyond the days asked for
    done = run(data, "reopen", day.isoformat(), "--county", "柯城区", "--half", "pm")
    assert done.returncode == 0 and f"reopened: {day} 柯城区 pm" in done.stdout
    assert page(data, settings).closed == []
    assert [(c.action, c.actor) for c in page(data, settings).changes] == [("reopen", "cli:staff"), ("close", "cli:李芳")]


def test_places_are_set_per_county_and_half_day(tmp_path, settings):
    data = tmp_path / "data"
    done = run(data, "places", "江山市", "am", "3")
    assert done.returncode == 0, done.stderr
    assert page(data, settings).places == {("江山市", "am"): 3}
    assert "江山市  am 3  pm 2" in run(data, "list", "--county", "江山市").stdout


@pytest.mark.parametrize(("args", "says"), [
    (("places", "江山市", "am", "300"), "places must be 0..20"),
    (("places", "北京市", "am", "2"), "invalid choice"),
    (("places", "江山市", "evening", "2"), "invalid choice"),
    (("close", "2026-13-01", "--reason", "台风"), "invalid"),
    (("close", "2020-01-06", "--reason", "台风"), "is past"),
    (("close", ahead(3).isoformat()), "--reason"),
    (("reopen", ahead(3).isoformat()), "is not closed"),
    (("list", "--days", "0"), "days must be"),
])
def test_bad_arguments_are_one_line_and_exit_2(tmp_path, args, says):
    done = run(tmp_path / "data", *args)
    assert done.returncode == 2 and says in done.stderr, done.stderr
    assert [line for line in done.stderr.splitlines() if "WARNING" not in line] == [done.stderr.splitlines()[-1]]
