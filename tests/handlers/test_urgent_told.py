"""Danger words that are not a cry for help: a scam written as the matter of a visit is kept and the
booking goes on; a question about a past scam is answered after the 110 line; a short cry at the menu
offers 接着问我的问题 rather than a dead end. Real emergencies still come first."""

from __future__ import annotations

import pytest

from tests.auxil.chat import Chat
from tests.handlers.test_booking_flow import to_the_access, to_the_name
from tests.handlers.test_forms import saved

SCAM = "被人骗了两万块钱"



async def to_the_matter(chat: Chat) -> None:
    await to_the_access(chat)
    await chat.tap("住楼上")
    await chat.tap("好了")
    assert chat.says("book.ask.matter")


async def test_a_scam_written_as_the_matter_of_a_visit_is_kept_and_the_booking_goes_on(chat, runtime):
    await to_the_matter(chat)
    await chat.send(SCAM)
    assert chat.says("urgent.text")  # 110 said alongside, once
    assert chat.says("book.ask.consent") and "继续上次的问题" not in chat.labels
    assert (await saved(runtime)).data["book"]["matter"] == SCAM
    await chat.tap("同意")
    assert chat.says("book.review") and SCAM in chat.text


async def test_a_scam_in_the_notes_for_the_visitors_is_kept_as_a_note(chat, runtime):
    await to_the_access(chat)
    note = "老人被骗过钱，上门前请先打电话"
    await chat.send(note)
    assert chat.says("urgent.text") and chat.says("book.access_noted")
    assert (await saved(runtime)).data["book"]["access_note"] == note


async def test_a_scam_typed_at_the_address_is_still_not_stored_as_the_address(chat, runtime):
    await to_the_name(chat)
    await chat.send("张桂英")
    await chat.send("13812345678")
    await chat.tap("家人的")
    await chat.send("石梁镇")
    await chat.send(SCAM)
    assert chat.text == runtime.services.texts("urgent.text")
    assert "address" not in (await saved(runtime)).data["book"]


@pytest.mark.parametrize("cry", ["我不想活了", "救命"])
async def test_a_cry_for_help_at_the_matter_gets_the_safety_screen_and_is_not_stored(chat, runtime, cry):
    await to_the_matter(chat)
    await chat.send(cry)
    assert chat.says("urgent.text") and not chat.says("book.ask.consent")
    assert "继续上次的问题" in chat.labels
    assert "matter" not in (await saved(runtime)).data["book"]


async def test_a_scam_spoken_as_the_matter_is_read_back_before_it_is_kept(chat, runtime):
    await to_the_matter(chat)
    await chat.send(SCAM, spoken=True)
    assert chat.says("urgent.text") and chat.says("voice.confirm", text=SCAM)
    assert "matter" not in (await saved(runtime)).data["book"]
    await chat.tap("对")
    assert chat.says("book.ask.consent")
    assert (await saved(runtime)).data["book"]["matter"] == SCAM


@pytest.mark.parametrize("question", ["我父親八十二歲了，被騙了錢，可以申請法律援助嗎？",
                                      "我父亲八十二岁了，被骗了钱，可以申请法律援助吗？"])
async def test_a_question_about_a_scam_gets_the_110_line_and_its_answer(chat, question):
    await chat.send(question)
    first, *rest = chat.last.replies
    assert first.text.startswith(chat.runtime.services.texts("urgent.text"))
    assert rest, "the question was dropped after the safety line"
    assert chat.says("told.header_age", who=chat.texts("told.who.father"), age=82)
    assert chat.says("told.age70")


async def test_a_short_cry_at_the_menu_offers_to_go_on_to_the_question_asked(chat, runtime):
    await chat.send("儿子打我，我能告他吗")
    assert len(chat.last.replies) == 1 and chat.says("urgent.text")
    assert chat.labels == [chat.texts("menu.call"), chat.texts("urgent.ask_on"), chat.texts("nav.menu")]
    await chat.tap(chat.texts("urgent.ask_on"))
    assert not chat.says("urgent.text") and chat.text  # the same text, answered as a question
    assert "urgent" not in (await saved(runtime)).data


async def test_the_question_kept_for_the_button_is_forgotten_on_the_next_message(chat, runtime):
    await chat.send("儿子打我")
    assert "urgent" in (await saved(runtime)).data
    await chat.send("遗嘱公证要钱吗")
    assert "urgent" not in (await saved(runtime)).data
    await chat.press("urgent:ask")  # the old button: stale, never the old text
    assert chat.says("nav.stale_button") and chat.says("menu.title")


async def test_a_scam_at_a_question_of_options_with_notes_still_gets_the_safety_screen(chat, runtime):
    await chat.send("查资格")
    await chat.tap("替家人问")
    await chat.send("82")
    await chat.send("龙游")
    assert chat.says("eq.ask_conditions")
    await chat.send(SCAM)
    assert chat.says("urgent.text") and "继续上次的问题" in chat.labels
    await chat.tap("继续上次的问题")
    assert chat.says("eq.ask_conditions")
