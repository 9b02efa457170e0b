"""The 值班表's entries on SQLite and PostgreSQL: one per lawyer and day, with who added it and when;
the lawyers a rostered day reaches are the active ones with a chat account."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from policy.ledger import UnknownRecord
from storage.duty_roster import DutyRosterStore
from storage.lawyers import LawyerStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
SATURDAY, SUNDAY = date(2026, 11, 28), date(2026, 11, 29)


@pytest.fixture
def lawyers(db) -> LawyerStore:
    return LawyerStore(db)


@pytest.fixture
def roster(db) -> DutyRosterStore:
    return DutyRosterStore(db)


async def bound(lawyers: LawyerStore, name: str, user_id: str):
    lawyer, code = await lawyers.add_lawyer(name, "衢州某律师事务所", NOW)
    return await lawyers.bind(code, "telegram", user_id, NOW)


async def test_an_entry_keeps_who_added_it_and_when_and_is_added_once(lawyers, roster):
    wang = await bound(lawyers, "王律师", "501")
    assert await roster.add(SATURDAY, wang.id, "web:admin", NOW)
    assert not await roster.add(SATURDAY, wang.id, "web:other", NOW)
    [entry] = await roster.between(SATURDAY, SUNDAY)
    assert (entry.day, entry.lawyer_id, entry.name, entry.added_by, entry.added_at) == (
        SATURDAY, wang.id, "王律师", "web:admin", NOW)
    assert entry.active and entry.bound


async def test_entries_by_day_and_by_lawyer_and_removal(lawyers, roster):
    wang, li = await bound(lawyers, "王律师", "501"), await bound(lawyers, "李律师", "502")
    await roster.add(SUNDAY, wang.id, "staff", NOW)
    await roster.add(SATURDAY, li.id, "staff", NOW)
    await roster.add(SATURDAY, wang.id, "staff", NOW + timedelta(minutes=1))  # in the order added
    assert [(e.day, e.name) for e in await roster.between(SATURDAY, SUNDAY)] == [
        (SATURDAY, "李律师"), (SATURDAY, "王律师"), (SUNDAY, "王律师")]
    assert [e.day for e in await roster.between(SATURDAY, SUNDAY, wang.id)] == [SATURDAY, SUNDAY]
    assert await roster.between(SATURDAY, SATURDAY, 999) == []
    assert await roster.remove(SATURDAY, wang.id)
    assert not await roster.remove(SATURDAY, wang.id)
    assert [e.name for e in await roster.between(SATURDAY, SATURDAY)] == ["李律师"]


async def test_a_rostered_day_reaches_only_active_bound_lawyers_on_it(lawyers, roster):
    wang, li = await bound(lawyers, "王律师", "501"), await bound(lawyers, "李律师", "502")
    unbound, _ = await lawyers.add_lawyer("赵律师", "所", NOW)
    off_roster = await bound(lawyers, "钱律师", "503")
    await lawyers.set_on_duty(off_roster.id, True)
    for lawyer in (wang, li, unbound):
        await roster.add(SATURDAY, lawyer.id, "staff", NOW)
    await lawyers.set_active(li.id, False)
    assert [x.name for x in await lawyers.rostered_on(SATURDAY)] == ["王律师"]
    assert await lawyers.rostered_on(SUNDAY) == []
    [li_entry] = [e for e in await roster.between(SATURDAY, SATURDAY) if e.lawyer_id == li.id]
    assert not li_entry.active  # kept, and shown as unreachable


async def test_an_inactive_or_unknown_lawyer_is_not_added(lawyers, roster):
    wang = await bound(lawyers, "王律师", "501")
    await lawyers.set_active(wang.id, False)
    assert not await roster.add(SATURDAY, wang.id, "staff", NOW)
    with pytest.raises(UnknownRecord):
        await roster.add(SATURDAY, 999, "staff", NOW)
    assert await roster.between(SATURDAY, SUNDAY) == []
