"""A half-filled booking dropped after a day (personal details are not kept longer): the next answer
or tap is told so and offered a fresh start (walk 05:40 item 15: the name typed 25 h later got
这个问题我答不好, a tap got 这个按钮已经过期了 and a silent restart)."""

from __future__ import annotations

import pytest

from handlers.form import EXPIRED
from handlers.state import Conversation
from tests.auxil.chat import Chat
from tests.handlers.test_form_back import STEPS


async def to_the_name(chat) -> None:
    await chat.send("预约上门办申请")
    for _, answer in STEPS[:4]:
        await answer(chat)
    assert chat.says("book.ask.name")


async def dropped_with_the_flow_on(runtime, chat) -> None:
    """The state as Dialogue.drop_stale_drafts leaves it once it keeps the flow on (the change asked of
    the lead): the draft gone, the booking still the active flow at the step EXPIRED, its options
    still remembered."""
    store = runtime.services.store
    state = Conversation.model_validate_json(await store.load_state(chat.channel, chat.user_id))
    state.data.pop("book")
    state.step = EXPIRED
    await store.save_state(chat.channel, chat.user_id, state.model_dump_json(), state.updated_at)


@pytest.mark.parametrize("typed", ["王秀英", "1", "回去"])
async def test_the_next_answer_after_the_draft_expired_is_told_so(runtime, clock, typed):
    chat = Chat(runtime, user_id=f"late-{typed}")
    await to_the_name(chat)
    await dropped_with_the_flow_on(runtime, chat)
    clock.advance(hours=25)
    await chat.send(typed)
    assert chat.says("resume.expired", hours=24), chat.text
    await chat.tap("重新开始")
    assert chat.says("book.ask.check_age"), chat.text


async def test_an_old_button_of_a_finished_booking_is_only_stale(runtime):
    """Not every missing draft expired: after the booking is made its old buttons are stale."""
    chat = Chat(runtime, user_id="done")
    await to_the_name(chat)
    back = chat.option("上一步").payload
    await chat.send("菜单")
    await chat.press(back)
    assert not chat.says("resume.expired") and chat.says("nav.stale_button"), chat.text


async def test_a_booking_the_scheduler_dropped_says_so_when_the_next_answer_comes(runtime, clock):
    chat = Chat(runtime, user_id="late-real")
    await to_the_name(chat)
    clock.advance(hours=25)
    assert await runtime.dialogue.drop_stale_drafts(runtime.now()) == 1
    await chat.send("王秀英")
    assert chat.says("resume.expired", hours=24), chat.text
