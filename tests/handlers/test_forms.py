"""The form engine under every questionnaire: validation whichever way an answer arrives,
saved drafts that cannot be read, urgent words inside a form, 上一步 and edits from review."""

from __future__ import annotations

import json

import pytest

from handlers.state import Conversation
from tests.auxil.chat import Chat, opening
from tests.handlers.test_booking_flow import book, to_the_name


async def saved(runtime, user="elder-1") -> Conversation:
    return Conversation.model_validate_json(await runtime.services.store.load_state("console", user))


async def to_the_phone(chat: Chat) -> None:
    await to_the_name(chat)
    await chat.send("张桂英")


@pytest.mark.parametrize("forged", ["book:answer:phone=000", "book:answer:phone=13812345678x"])
async def test_a_forged_button_goes_through_the_same_validator_as_typed_text(chat, runtime, forged):
    await to_the_phone(chat)
    await chat.press(forged)
    assert chat.text.startswith(runtime.services.texts("book.invalid.phone"))
    assert "phone" not in (await saved(runtime)).data["book"]


@pytest.mark.parametrize("forged", ["book:answer:phone=13812345678", "book:answer:phone=+86 138 1234 5678"])
async def test_a_forged_button_with_a_valid_value_is_read_like_typing_it(chat, runtime, forged):
    await to_the_phone(chat)
    await chat.press(forged)
    assert chat.text.startswith(runtime.services.texts("book.ask.phone_owner"))
    assert (await saved(runtime)).data["book"]["phone"] == "13812345678"


async def test_an_unknown_phone_owner_is_refused_and_never_stored(chat, runtime):
    await to_the_phone(chat)
    await chat.send("13812345678")
    await chat.press("book:answer:phone_owner=evil")
    assert chat.text.startswith(chat.texts("book.invalid.phone_owner"))
    assert "phone_owner" not in (await saved(runtime)).data["book"]


async def test_a_button_for_another_question_is_stale(chat, runtime):
    await to_the_phone(chat)
    await chat.press("book:answer:name=李四")
    assert chat.text.startswith(runtime.services.texts("nav.stale_button"))
    assert (await saved(runtime)).data["book"]["name"] == "张桂英"


@pytest.mark.parametrize("draft", [
    {"asked": ["phone"], "phone": "000"},
    {"asked": "not a list"},
    {"asked": ["county"], "county": "火星县"},
    {"asked": ["review"], "access": ["toggle:evil"]},
])
async def test_a_forged_or_broken_saved_draft_starts_afresh_politely(chat, runtime, clock, draft):
    state = Conversation(flow="book", data={"book": draft})
    await runtime.services.store.save_state("console", "elder-1", state.model_dump_json(), clock())
    await chat.send("13812345678")
    assert chat.text.startswith(runtime.services.texts("resume.broken"))
    assert runtime.services.texts("book.ask.check_age") in chat.text
    assert json.dumps(draft, ensure_ascii=False) not in await runtime.services.store.load_state("console", "elder-1")


async def test_urgent_words_inside_a_form_get_help_and_are_never_stored_as_an_answer(chat, runtime):
    await to_the_phone(chat)
    await chat.send("13812345678")
    await chat.tap("家人的")
    await chat.send("儿子打我，把我关在家里")
    assert chat.text == runtime.services.texts("urgent.text")
    assert "township" not in (await saved(runtime)).data["book"]
    await chat.tap("继续上次的问题")
    assert chat.text == runtime.services.texts("book.ask.township")


async def test_back_goes_to_the_question_asked_before_not_to_the_table_order(chat, runtime):
    await book(chat)
    await chat.tap("改：电话")
    await chat.tap("上一步")
    assert chat.text.startswith(opening(runtime.services.texts, "book.review"))


async def test_editing_the_day_asks_its_half_day_then_returns_to_review(chat, runtime):
    await book(chat)
    await chat.tap("改：时间")
    await chat.press([o.payload for o in chat.options if "date=" in o.payload][1])
    assert chat.text == runtime.services.texts("book.ask.window", day=chat.last.replies[0].text.split("，")[0])
    await chat.tap("下午")
    assert chat.text.startswith(opening(runtime.services.texts, "book.review"))
    assert "下午" in chat.text and "张桂英" in chat.text


async def test_the_step_is_stored_once_in_the_draft(chat, runtime):
    await to_the_phone(chat)
    state = await saved(runtime)
    assert state.step == "" and state.data["book"]["asked"][-1] == "phone"
    assert "step" not in state.data["book"]


async def test_a_saved_draft_at_review_with_answers_missing_asks_for_them(chat, runtime, clock):
    draft = {"asked": ["check_age", "review"], "check_age": True, "county": "龙游县"}
    state = Conversation(flow="book", data={"book": draft})
    await runtime.services.store.save_state("console", "elder-1", state.model_dump_json(), clock())
    await chat.press("book:resume")
    assert chat.text.startswith(runtime.services.texts("book.ask.date", county="龙游县"))
    await chat.press("book:confirm")  # the old review's button
    assert chat.text.startswith(runtime.services.texts("nav.stale_button"))


async def test_a_saved_draft_naming_an_unknown_question_starts_afresh(chat, runtime, clock):
    state = Conversation(flow="book", data={"book": {"asked": ["no_such_question"]}})
    await runtime.services.store.save_state("console", "elder-1", state.model_dump_json(), clock())
    await chat.press("book:resume")
    assert chat.text.startswith(runtime.services.texts("resume.broken"))
