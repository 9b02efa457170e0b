"""我的预约 after booking: moving or cancelling a visit tells its lawyer and keeps the right reminders."""

from __future__ import annotations

from services import wording
from tests.auxil.chat import Chat
from tests.handlers.conftest import STAFF_ID
from tests.handlers.test_booking_flow import book
from tests.handlers.test_lawyers_flow import outbox_for, register_lawyer


async def assigned_booking(rt, family: Chat) -> str:
    await book(family)
    await family.tap("确认预约")
    ref = (await rt.services.bookings.list_for_user(family.channel, family.user_id))[0].ref
    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    await staff.press(f"staff:assign:{ref}")
    await staff.tap("王律师")
    return ref


async def visit_with_a_lawyer(rt, lawyer_user: str, family_user: str):
    """A family's booking with a lawyer assigned; the family is left on 我的预约."""
    await register_lawyer(rt, lawyer_user)
    family = Chat(rt, channel="telegram", user_id=family_user)
    ref = await assigned_booking(rt, family)
    await family.tap("我的预约")
    return family, ref


async def notice(rt, family: Chat, text_id: str) -> str:
    """The notice its lawyer should get about the family's visit as it is now."""
    [booking] = await rt.services.bookings.list_for_user(family.channel, family.user_id)
    t, rules = rt.services.texts, rt.services.settings.slot_rules
    return t(text_id, ref=booking.ref, day=wording.day_label(t, booking.visit_date),
             window=wording.window_label(t, rules, booking.window), county=booking.county)


async def test_moving_a_visit_tells_the_lawyer_and_keeps_the_lawyers_reminder(rt):
    family, ref = await visit_with_a_lawyer(rt, "701", "801")
    await family.tap("改时间")
    await family.press([o.payload for o in family.options if "date=" in o.payload][1])
    await family.tap("下午")
    assert await notice(rt, family, "book.notice_moved") in [m["text"] for m in await outbox_for(rt, "701")]
    reminders = await rt.db.fetchall(
        "SELECT audience, dropped_at FROM reminders r JOIN bookings b ON b.id = r.booking_id WHERE b.ref = ?", ref)
    assert ("lawyer", None) in [tuple(r) for r in reminders]


async def test_cancelling_a_visit_tells_the_lawyer(rt):
    family, ref = await visit_with_a_lawyer(rt, "702", "802")
    await family.tap("取消")
    await family.tap("确定取消")
    assert await notice(rt, family, "book.notice_cancelled") in [m["text"] for m in await outbox_for(rt, "702")]
