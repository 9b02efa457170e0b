"""The 值班表 through the service layer, on SQLite and PostgreSQL: who may change it (4号 一(三)
律师自主报名、法律援助机构统一安排), where a new question goes on a rostered day, and the reminder
the day before, sent once and not at night."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from common.messages import Address
from policy.ledger import LedgerError
from services import calendar_admin, consultations, duty
from services.actor import SYSTEM, Actor, PermissionDenied
from services.consultations import QUIET_HOURS
from services.wording import day_label
from storage.outbox import Topic, outbox_key
from tests.conftest import SHANGHAI

SATURDAY, SUNDAY, FRIDAY = date(2026, 11, 28), date(2026, 11, 29), date(2026, 11, 27)
SATURDAY_MORNING = datetime(2026, 11, 28, 10, 0, tzinfo=SHANGHAI)
RESIDENT = Address("console", "elder-9")


async def another(rt, name: str, user_id: str | None, on_duty: bool = False):
    ledger = rt.services.ledger
    lawyer, code = await ledger.add_lawyer(name, "衢州某律师事务所", rt.now())
    if user_id is None:
        return lawyer
    bound = await ledger.bind(code, "telegram", user_id, rt.now())
    return await ledger.set_on_duty(bound.id, True) if on_duty else bound


def question_receivers(notices) -> list[str]:
    return sorted(n.user_id for n in notices if n.dedupe_key.startswith(Topic.NEW_QUESTION.value))


async def test_staff_roster_anyone_and_a_lawyer_only_themself(rt, staff, lawyer):
    li = await another(rt, "李律师", "502")
    assert (await duty.add(rt.services, staff, SATURDAY, li.id, rt.now())).value
    assert (await duty.add(rt.services, lawyer, SUNDAY, lawyer.lawyer.id, rt.now())).value
    with pytest.raises(PermissionDenied):
        await duty.add(rt.services, lawyer, SATURDAY, li.id, rt.now())
    with pytest.raises(PermissionDenied):
        await duty.remove(rt.services, lawyer, SATURDAY, li.id, rt.now())
    assert (await duty.remove(rt.services, lawyer, SUNDAY, lawyer.lawyer.id, rt.now())).value
    days = await duty.roster(rt.services, staff, rt.now().date())
    assert [(d.day, [e.name for e in d.entries]) for d in days[:2]] == [(SATURDAY, ["李律师"]), (SUNDAY, [])]
    assert days[0].entries[0].added_by == staff.name
    with pytest.raises(PermissionDenied):
        await duty.roster(rt.services, lawyer, rt.now().date())


async def test_a_lawyer_put_down_or_taken_off_by_staff_is_told_and_one_s_own_change_is_not(rt, staff, lawyer):
    t = rt.services.texts
    added = await duty.add(rt.services, staff, SATURDAY, lawyer.lawyer.id, rt.now())
    [told] = added.notices
    assert (told.user_id, told.reply.text) == ("501", t("duty.added_for_you", day=day_label(t, SATURDAY)))
    removed = await duty.remove(rt.services, staff, SATURDAY, lawyer.lawyer.id, rt.now())
    assert [n.reply.text for n in removed.notices] == [t("duty.removed_for_you", day=day_label(t, SATURDAY))]
    assert (await duty.add(rt.services, lawyer, SUNDAY, lawyer.lawyer.id, rt.now())).notices == []


async def test_refusals_say_which_day_and_why(rt, staff, lawyer, clock):
    t = rt.services.texts
    with pytest.raises(LedgerError) as refused:
        await duty.add(rt.services, staff, FRIDAY, lawyer.lawyer.id, rt.now())
    assert t(refused.value.text_id, **refused.value.fields) == t("duty.error.working_day", day=day_label(t, FRIDAY))
    await duty.add(rt.services, staff, SATURDAY, lawyer.lawyer.id, rt.now())
    clock.now = SATURDAY_MORNING
    with pytest.raises(LedgerError) as started:
        await duty.remove(rt.services, staff, SATURDAY, lawyer.lawyer.id, rt.now())
    assert started.value.text_id == "duty.error.started"
    with pytest.raises(LedgerError) as past:
        await duty.add(rt.services, staff, FRIDAY, lawyer.lawyer.id, rt.now())
    assert past.value.text_id == "duty.error.past"
    await rt.services.ledger.set_active(lawyer.lawyer.id, False)
    with pytest.raises(LedgerError) as inactive:
        await duty.add(rt.services, staff, SUNDAY, lawyer.lawyer.id, rt.now())
    assert inactive.value.text_id == "duty.error.inactive"


async def test_a_holiday_entered_on_the_calendar_page_can_be_rostered_and_a_worked_saturday_not(rt, staff, lawyer):
    tuesday = date(2026, 12, 1)
    await calendar_admin.set_day(rt.services, staff, tuesday, "holiday", rt.now())
    assert (await duty.add(rt.services, staff, tuesday, lawyer.lawyer.id, rt.now())).value
    await calendar_admin.set_day(rt.services, staff, date(2026, 12, 5), "workday", rt.now())
    with pytest.raises(LedgerError):
        await duty.add(rt.services, staff, date(2026, 12, 5), lawyer.lawyer.id, rt.now())
    assert tuesday in [d.day for d in await duty.roster(rt.services, staff, rt.now().date())]


async def test_on_a_rostered_day_a_question_goes_only_to_that_day_s_lawyers(rt, staff, lawyer, clock):
    await another(rt, "钱律师", "503", on_duty=True)  # the switch is on, but Saturday has a roster
    li = await another(rt, "李律师", "502")
    for who in (lawyer.lawyer.id, li.id):
        await duty.add(rt.services, staff, SATURDAY, who, rt.now())
    clock.now = SATURDAY_MORNING
    asked = await consultations.ask(rt.services, RESIDENT, "儿子不给赡养费怎么办", rt.now())
    assert question_receivers(asked.notices) == ["501", "502"]
    assert {n.dedupe_key for n in asked.notices} == {outbox_key(Topic.NEW_QUESTION, asked.value.id, lawyer.lawyer.id),
                                                     outbox_key(Topic.NEW_QUESTION, asked.value.id, li.id)}
    clock.advance(minutes=rt.settings.claim_timeout_minutes + 1)
    resent = await consultations.renotify_unclaimed(rt.services, SYSTEM, rt.now())
    assert sorted(n.user_id for n in resent.notices if n.dedupe_key.startswith(Topic.RENOTIFY.value)) == ["501", "502"]


async def test_a_roster_nobody_on_can_be_reached_falls_back_to_the_switch_then_to_staff(rt, staff, clock):
    unbound = await another(rt, "赵律师", None)
    await duty.add(rt.services, staff, SATURDAY, unbound.id, rt.now())
    clock.now = SATURDAY_MORNING
    asked = await consultations.ask(rt.services, RESIDENT, "邻居占了我家的地", rt.now())
    assert [n.dedupe_key for n in asked.notices] == [outbox_key(Topic.NO_DUTY_LAWYER, asked.value.id)]
    await another(rt, "钱律师", "503", on_duty=True)
    again = await consultations.ask(rt.services, Address("console", "elder-10"), "怎么立遗嘱", rt.now())
    assert question_receivers(again.notices) == ["503"]


async def test_on_a_working_day_the_switch_decides_whatever_the_table_holds(rt, staff, lawyer):
    await another(rt, "钱律师", "503", on_duty=True)
    # An entry on a working day cannot be made through the rule; one left by a later 调休 change is ignored.
    await rt.services.roster.add(FRIDAY, lawyer.lawyer.id, "staff", rt.now())
    asked = await consultations.ask(rt.services, RESIDENT, "儿子不给赡养费怎么办", rt.now())
    assert question_receivers(asked.notices) == ["503"]


async def test_the_reminder_goes_the_day_before_once_per_lawyer_and_not_at_night(rt, staff, lawyer, clock):
    unbound = await another(rt, "赵律师", None)
    for who in (lawyer.lawyer.id, unbound.id):
        await duty.add(rt.services, staff, SATURDAY, who, rt.now())
    clock.now = datetime(2026, 11, 27, 6, 30, tzinfo=SHANGHAI)  # Friday, before 7
    assert (await duty.remind_tomorrow(rt.services, SYSTEM, rt.now(), QUIET_HOURS)).notices == []
    clock.now = datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)
    done = await duty.remind_tomorrow(rt.services, SYSTEM, rt.now(), QUIET_HOURS)
    [notice] = done.notices  # the unbound lawyer cannot be reached
    await rt.services.store.enqueue(notice, rt.now())
    clock.advance(minutes=1)  # the next scheduler tick
    assert (await duty.remind_tomorrow(rt.services, SYSTEM, rt.now(), QUIET_HOURS)).notices == []
    t = rt.services.texts
    [queued] = [q for q in await rt.services.store.unsent({"telegram"}, rt.now()) if q.user_id == "501"]
    assert queued.reply["text"] == t("duty.reminder", day=day_label(t, SATURDAY))
    assert notice.dedupe_key == outbox_key(Topic.DUTY, "reminder", SATURDAY, lawyer.lawyer.id)
    assert notice.expires_at == datetime(2026, 11, 28, 0, 0, tzinfo=SHANGHAI)
    clock.now = datetime(2026, 11, 26, 12, 0, tzinfo=SHANGHAI)  # Thursday: Friday is worked, nobody
    assert (await duty.remind_tomorrow(rt.services, SYSTEM, rt.now(), QUIET_HOURS)).notices == []


async def test_a_lawyer_sees_only_their_own_days(rt, staff, lawyer):
    li = await another(rt, "李律师", "502")
    await duty.add(rt.services, staff, SATURDAY, li.id, rt.now())
    await duty.add(rt.services, staff, SUNDAY, lawyer.lawyer.id, rt.now())
    mine = await duty.my_days(rt.services, lawyer, rt.now().date())
    assert [(d.day, [e.name for e in d.entries]) for d in mine[:2]] == [(SATURDAY, []), (SUNDAY, ["王律师"])]
    with pytest.raises(PermissionDenied):
        await duty.my_days(rt.services, staff, rt.now().date())


async def test_today_says_who_gets_questions_now_and_the_next_non_working_day(rt, staff, lawyer, clock):
    await rt.services.ledger.set_on_duty(lawyer.lawyer.id, True)
    now = await duty.now_on_duty(rt.services, staff, rt.now())
    assert ([x.name for x in now.lawyers], now.rostered, now.next_day.day, now.next_day.entries) == (
        ["王律师"], False, SATURDAY, [])
    li = await another(rt, "李律师", "502")
    await duty.add(rt.services, staff, SATURDAY, li.id, rt.now())
    clock.now = SATURDAY_MORNING
    now = await duty.now_on_duty(rt.services, staff, rt.now())
    assert ([x.name for x in now.lawyers], now.rostered, now.next_day.day) == (["李律师"], True, SUNDAY)
    with pytest.raises(PermissionDenied):
        await duty.now_on_duty(rt.services, Actor.of_lawyer(lawyer.lawyer, "x"), rt.now())
