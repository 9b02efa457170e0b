"""Every route of every flow, pressed with forged or garbage arguments by a resident, a lawyer and
staff: a polite answer every time, never the error apology, never someone else's record.

Every route gets the arguments that found bugs or guard records (none, ids that exist nowhere, the
victim's own ids) and, on the form routes, every forged answer; the rest of the garbage is spread
over the routes in turn, each role starting at a different place, so each value is still pressed
on many routes by every role without crossing all of them (a third of the presses it once was)."""

from __future__ import annotations

import logging

import pytest

from common.messages import MAX_PAYLOAD_BYTES
from tests.auxil.chat import Chat
from tests.handlers.conftest import STAFF_ID, rt  # noqa: F401 - the staffed runtime fixture
from tests.handlers.test_booking_flow import book
from tests.handlers.test_lawyers_flow import register_lawyer

pytestmark = pytest.mark.timeout(300)

# Pressed on every route: no argument, ids of nothing, a word where a number goes, and a forged
# answer no route may keep (staff were once offered lawyers for a booking that did not exist, and
# the forged reference was kept in their conversation).
ALWAYS = ["", "0", "-1", "999999", "abc", "county=火星"]
GARBAGE = ["1e9", "１", "None", "'; DROP TABLE bookings; --", "%s{}", "a:b:c", "\u202e", "x" * 40,
           "2026-13-45", "menu", "law:claim:1", "1", "2", "3"]
# A form's answers as a forged button would carry them, past the typed-text validators.
FORGED_ANSWERS = ["phone=000", "name=12345<>{}!!", "phone_owner=evil", "age=-5", "age=abc", "county=火星",
                  "date=2020-01-01", "window=night", "access=x", "conditions=x,y", "asker=evil", "consent=yes"]
FORM_ROUTES = frozenset({"answer", "edit", "confirm"})  # handlers/form.py: where answers go in
SAMPLED = 3  # of the rest, on each route (GARBAGE and, off the form routes, FORGED_ANSWERS)
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


def _own(booking, question) -> list[str]:
    """The victim's booking (by id and by reference) and question."""
    return [str(booking.id), booking.ref, str(question.id)]


def _routes(rt, own: list[str], start: int) -> list[tuple[str, str, list[str]]]:
    """(flow, action, arguments) for every route; `start` shifts which sampled values go where."""
    routes = [(flow.name, action) for flow in rt.dialogue.flows.values() for action in flow.routes()]
    pressed = []
    for n, (flow, action) in enumerate(routes, start=start):
        forms = FORGED_ANSWERS if action in FORM_ROUTES else []
        rest = [a for a in GARBAGE + FORGED_ANSWERS if a not in forms and a not in ALWAYS]
        sampled = [rest[(n * SAMPLED + i) % len(rest)] for i in range(SAMPLED)]
        pressed.append((flow, action, list(dict.fromkeys(ALWAYS + own + forms + sampled))))
    return pressed


async def _press_everything(rt, chat: Chat, own: list[str], start: int, caplog) -> list[str]:
    """Every route with its arguments; returns what went wrong, so one run lists every failure."""
    apology = chat.texts("error.apology")
    wrong: list[str] = []
    for flow_name, action, args in _routes(rt, own, start):
        for arg in args:
            raw = f"{flow_name}:{action}:{arg}" if arg else f"{flow_name}:{action}"
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
    own = _own(booking, question)
    resident = Chat(rt, channel="console", user_id="mallory")
    lawyer = await register_lawyer(rt, "lawyer-m", name="赵律师")
    wrong = await _press_everything(rt, resident, own, 0, caplog)
    wrong += await _press_everything(rt, lawyer, own, 1, caplog)

    after = await rt.services.bookings.get(booking.ref)
    assert (after.status, after.elder_name, after.phone) == (booking.status, SECRET_NAME, SECRET_PHONE)
    q = await rt.services.consultations.get(question.id)
    assert (q.status, q.lawyer_id, q.answer, q.feedback, q.follow_up) == ("claimed", question.lawyer_id, None, None, None)

    staff = Chat(rt, channel="telegram", user_id=str(STAFF_ID))
    wrong += await _press_everything(rt, staff, own, 2, caplog)
    assert wrong == [], "\n".join(wrong)
