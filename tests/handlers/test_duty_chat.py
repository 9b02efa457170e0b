"""A lawyer's /duty in the chat: the switch still works, and the reply lists their coming days on
the 值班表 (also on its own button, typed or tapped)."""

from __future__ import annotations

from datetime import date, datetime

from bot.scheduler import remind_duty_lawyers
from services import duty
from services.actor import Actor
from services.wording import day_label
from tests.auxil.chat import Chat
from tests.conftest import SHANGHAI
from tests.handlers.test_lawyers_flow import outbox_for, register_lawyer

SATURDAY, SUNDAY = date(2026, 11, 28), date(2026, 11, 29)


async def test_duty_switches_and_lists_the_lawyer_s_coming_days(rt):
    chat = await register_lawyer(rt, "501")  # /duty: on
    assert chat.says("duty.my_days_none")
    lawyer = await rt.services.ledger.lawyer_for("telegram", "501")
    for day in (SUNDAY, SATURDAY):
        await duty.add(rt.services, Actor.staff("staff"), day, lawyer.id, rt.now())
    t = rt.services.texts
    await chat.send("/duty")
    assert chat.says("lawyer.off_duty")
    assert chat.says("duty.my_days", days=t("duty.day_separator").join(day_label(t, d) for d in (SATURDAY, SUNDAY)))
    assert not (await rt.services.ledger.get_lawyer(lawyer.id)).on_duty
    await chat.tap(t("duty.days_button"))
    assert chat.says("duty.my_days", days=f"{day_label(t, SATURDAY)}、{day_label(t, SUNDAY)}")
    assert not (await rt.services.ledger.get_lawyer(lawyer.id)).on_duty  # listing leaves the switch alone


async def test_a_resident_pressing_the_days_button_is_not_a_lawyer(rt):
    resident = Chat(rt, channel="telegram", user_id="601")
    await resident.press("law:days")
    assert resident.says("roles.refused") and not resident.says("duty.my_days_none")


async def test_the_scheduler_reminds_a_rostered_lawyer_once_the_day_before(rt, clock):
    await register_lawyer(rt, "501")
    lawyer = await rt.services.ledger.lawyer_for("telegram", "501")
    await duty.add(rt.services, Actor.staff("staff"), SATURDAY, lawyer.id, rt.now())
    clock.now = datetime(2026, 11, 27, 18, 0, tzinfo=SHANGHAI)  # Friday evening
    assert await remind_duty_lawyers(rt) == 1
    clock.advance(minutes=1)
    assert await remind_duty_lawyers(rt) == 0  # the next tick
    t = rt.services.texts
    reminders = [r for r in await outbox_for(rt, "501") if r["text"] == t("duty.reminder", day=day_label(t, SATURDAY))]
    assert len(reminders) == 1
