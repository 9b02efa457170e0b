"""Every route of every flow, pressed with forged or garbage arguments by a resident, a lawyer and
staff: a polite answer every time, never the error apology, never someone else's record."""

from __future__ import annotations

import logging

import pytest

from common.messages import MAX_PAYLOAD_BYTES, Payload
from tests.auxil.chat import Chat
from tests.handlers.conftest import STAFF_ID, rt  # noqa: F401 - the staffed runtime fixture
from tests.handlers.test_booking_flow import book
from tests.handlers.test_lawyers_flow import register_lawyer

pytestmark = pytest.mark.timeout(300)

GARBAGE = ["", "0", "-1", "999999", "abc", "1e9", "１", "None", "'; DROP TABLE bookings; --", "%s{}",
           "a:b:c", "\u202e", "x" * 40, "2026-13-45", "menu", "law:claim:1",
           # a form's answers as a forged button would carry them, past the typed-text validators
           "phone=000", "name=12345<>{}!!", "phone_owner=evil", "age=-5", "age=abc", "county=火星",
           "date=2020-01-01", "window=night", "access=x", "conditions=x,y", "asker=evil", "consent=yes"]
# Values no validator accepts: none may reach a saved draft, however it arrives.
STORED_NEVER = ('"000"', "12345<>", "evil", "火星", "night", "2020-01-01", '"-5"', '"abc"')
SECRET_NAME, SECRET_PHONE, SECRET_QUESTION = "周秘密", "13911112222", "遗产的事不想让儿子知道"


async def _victims(rt):
    """A resident's booking and question, the question claimed by another lawyer."""
    victim = Chat(rt, channel="console", user_id="victim")
    await book(victim, name=SECRET_NAME, phone=SECRET_PHONE)
    await victim.tap("确认预约")
    (booking,) = await rt.services.bookings.list_for_user("console", "victim")
    question = await rt.services.consultations.create("console", "victim", SECRET_QUESTION, rt.now())
    other_lawyer = await register_lawyer(rt, "lawyer-b", name="李律师")
    await other_lawyer.press(f"law:claim:{question.id}")
    return booking, (await rt.services.consultations.get(question.id))


def _args(booking, question) -> list[str]:
    own = [str(booking.id), booking.ref, str(question.id), "1", "2", "3"]
    return GARBAGE + own


async def _press_everything(rt, chat: Chat, args: list[str], caplog) -> list[str]:
    """Every (flow, action, arg); returns what went wrong, so one run lists every failure."""
    apology = rt.services.texts("error.apology")
    wrong: list[str] = []
    for flow in list(rt.dialogue.flows.values()):
        for action in flow.routes():
            for arg in args:
                raw = f"{flow.name}:{action}:{arg}" if arg else f"{flow.name}:{action}"
                if len(raw.encode()) > MAX_PAYLOAD_BYTES:
                    continue
                caplog.clear()
                await chat.press(raw)
                said = chat.text
                errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
                if not chat.last.replies or not said.strip():
                    wrong.append(f"{raw}: no reply")
                elif apology in said or errors:
                    wrong.append(f"{raw}: failed ({errors[0].getMessage() if errors else 'apology'})")
                elif chat.user_id != str(STAFF_ID) and any(s in said for s in (SECRET_NAME, SECRET_PHONE, SECRET_QUESTION)):
                    wrong.append(f"{raw}: showed someone else's record")
                saved = await rt.services.store.load_state(chat.channel, chat.user_id) or ""
                if any(bad in saved for bad in STORED_NEVER):
                    wrong.append(f"{raw}: kept an invalid value")
    return wrong


async def test_forged_buttons_get_a_polite_answer_and_reach_no_one_elses_record(rt, caplog):
    booking, question = await _victims(rt)
    args = _args(booking, question)
    resident = Chat(rt, channel="console", user_id="mallory")
    lawyer = await register_lawyer(rt, "lawyer-m", name="赵律师")
    wrong = await _press_everything(rt, resident, args, caplog)
    wrong += await _press_everything(rt, lawyer, args, caplog)

    after = await rt.services.bookings.get(booking.ref)
    assert (after.status, after.elder_name, after.phone) == (booking.status, SECRET_NAME, SECRET_PHONE)
    q = await rt.services.consultations.get(question.id)
    assert (q.status, q.lawyer_id, q.answer, q.feedback, q.follow_up) == ("claimed", question.lawyer_id, None, None, None)

    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    wrong += await _press_everything(rt, staff, args, caplog)
    assert wrong == [], "\n".join(wrong)
