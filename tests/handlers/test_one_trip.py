"""One trip to the database to begin a turn and one to end it (issue 17), on both backends.

Every call a turn makes on the `Database` is counted (tests/auxil/trips.py); on SQLite the
hand-offs to aiosqlite's connection thread are counted too: none, the statements run on the loop.
"""

from __future__ import annotations

import pytest

from bot.channels.telegram import TELEGRAM
from handlers.events import Incoming, Kind
from handlers.menu import MAIN_MENU
from tests.auxil.trips import Trips

@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request) -> str:
    return request.param


@pytest.fixture
def telegram(runtime):
    runtime.dialogue.register_channel(TELEGRAM)
    return Trips(runtime.db)


class Person:
    """A Telegram user whose every event has an update id, as in production (de-duplicated)."""

    def __init__(self, runtime, user_id: str = "7001"):
        self.runtime = runtime
        self.user_id = user_id
        self.update = 100
        self.last = None

    async def do(self, **what) -> None:
        self.update += 1
        ev = Incoming("telegram", self.user_id, self.runtime.now(), key=str(self.update), **what)
        self.last = await self.runtime.handle(ev)

    def payload(self, label: str) -> str:
        return next(o.payload for r in self.last.replies for o in r.options if label in o.label)


def assert_one_trip_each_way(trips: Trips, backend: str) -> None:
    assert trips.calls == ["fetchone", "transact"]
    if backend == "sqlite":
        assert trips.handoffs == 0  # the file is not locked by anyone else: no wait, no thread


async def test_a_menu_turn_reads_once_and_writes_once(runtime, telegram, backend):
    person = Person(runtime)
    await person.do(text="/start")  # someone new
    assert_one_trip_each_way(telegram, backend)
    telegram.reset()
    await person.do(text="菜单")
    assert_one_trip_each_way(telegram, backend)
    assert person.last.replies[0].text == runtime.services.texts("menu.title")
    assert len(person.last.queued) == 1  # the reply was saved with the turn, in the same trip


async def test_an_faq_answer_reads_once_and_writes_once(runtime, telegram, backend):
    person = Person(runtime)
    await person.do(text="/start")
    telegram.reset()
    await person.do(text="70岁以上申请法援有没有事项范围限制")
    assert_one_trip_each_way(telegram, backend)
    entry = runtime.services.matcher.kb.get("scope_70_no_limit")
    assert person.last.replies[0].text.startswith(entry.answer)


async def test_a_form_step_reads_once_and_writes_once(runtime, telegram, backend):
    person = Person(runtime)
    await person.do(text="/start")
    eligibility = runtime.services.texts(MAIN_MENU[1][0])
    await person.do(kind=Kind.BUTTON, payload=person.payload(eligibility))
    first_question = person.last.replies[-1]
    telegram.reset()
    await person.do(kind=Kind.BUTTON, payload=first_question.options[0].payload)
    assert_one_trip_each_way(telegram, backend)
    assert person.last.replies[-1].text != first_question.text  # the form moved on to its next question


async def test_a_re_delivered_update_costs_one_read_and_writes_nothing(runtime, telegram, backend):
    person = Person(runtime)
    await person.do(text="菜单")
    telegram.reset()
    again = Incoming("telegram", person.user_id, runtime.now(), text="菜单", key=str(person.update))
    outcome = await runtime.handle(again)
    assert outcome.replies == []
    assert telegram.calls == ["fetchone"]


async def test_over_the_limit_the_turn_writes_only_its_window(settings, clock, backend):
    from bot.runtime import Runtime

    runtime = await Runtime.open(settings.model_copy(update={"rate_limit_per_minute": 1}), clock)
    try:
        runtime.dialogue.register_channel(TELEGRAM)
        trips = Trips(runtime.db)
        person = Person(runtime)
        await person.do(text="菜单")
        trips.reset()
        await person.do(text="菜单")
        assert person.last.replies[0].text == runtime.services.texts("input.slow_down")
        assert trips.calls == ["fetchone", "transact"]
        trips.reset()
        await person.do(text="菜单")  # told once a window: nothing more
        assert person.last.replies == []
        assert trips.calls == ["fetchone", "transact"]
        # The window is kept in the database: a restarted process counts the same messages.
        assert len((await runtime.services.store.rate_window("telegram", person.user_id))[0]) == 1
    finally:
        await runtime.close()
