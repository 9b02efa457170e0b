"""The dialogue core, driven directly: menu, words that always work, odd input, failures."""

from __future__ import annotations

import pytest

from handlers.events import Incoming, Kind
from handlers.state import Conversation
from tests.auxil.chat import Chat
from tests.handlers.conftest import STAFF_ID

MENU_LABELS = ["问政策", "查资格", "预约上门办申请", "留言问律师", "拨打12348"]


async def test_start_shows_the_five_big_menu_buttons(chat):
    await chat.send("/start")
    assert chat.labels == MENU_LABELS
    assert chat.last.replies[-1].main_menu


@pytest.mark.parametrize("word", ["/menu", "菜单", "返回", "/start"])
async def test_menu_words_always_bring_the_menu_back(chat, word):
    await chat.send("问政策")
    await chat.send(word)
    assert chat.labels == MENU_LABELS


async def test_help_explains_how_to_use_the_bot_and_keeps_the_menu(chat):
    await chat.send("/help")
    assert "菜单" in chat.text and "12348" in chat.text
    assert chat.labels == MENU_LABELS


async def test_a_digit_picks_the_numbered_option_on_the_console(chat):
    await chat.send("/start")
    await chat.send("5")
    assert "12348" in chat.text and "24小时" in chat.text


async def test_a_digit_out_of_range_is_read_as_text_not_as_a_choice(chat, runtime):
    await chat.send("/start")
    await chat.send("9")
    # not taken as option 5 or any other, but read as a (meaningless) question
    assert chat.text.startswith(runtime.services.texts("faq.fallback"))


async def test_a_typed_menu_label_works_like_the_button(chat):
    await chat.send("拨打12348")
    assert "24小时" in chat.text


async def test_entries_not_built_yet_say_so_and_return_to_the_menu(chat):
    await chat.press("nosuchflow:start")
    assert "还在准备中" in chat.text
    assert chat.labels == MENU_LABELS


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (Kind.VOICE, "暂时听不了语音,请打字或拨打12348"),
        (Kind.PHOTO, "看不了图片"),
        (Kind.STICKER, "表情"),
        (Kind.LOCATION, "位置"),
        (Kind.CONTACT, "名片"),
    ],
)
async def test_non_text_messages_get_a_polite_useful_answer(chat, kind, expected):
    await chat.send("", kind=kind)
    assert expected.replace(",", "，") in chat.text
    assert chat.options, "never a dead end: there must be buttons to go on"


@pytest.mark.parametrize("text", ["", "   ", "\u200b\u202e", "\x00\x07"])
async def test_empty_or_invisible_text_asks_for_words(chat, text):
    await chat.send(text)
    assert "没有收到文字" in chat.text
    assert chat.labels == MENU_LABELS


async def test_very_long_text_asks_for_a_shorter_question(chat):
    await chat.send("遗嘱" * 3000)
    assert "有点长" in chat.text
    assert chat.options


async def test_group_chats_are_asked_to_talk_privately(runtime):
    outcome = await runtime.dialogue.handle(
        Incoming("telegram", "42", runtime.now(), text="遗嘱公证要钱吗", group=True)
    )
    assert "私下" in outcome.replies[0].text


async def test_urgent_danger_gets_110_and_12348_before_anything_else(chat):
    await chat.send("儿子天天打我,不给饭吃")
    assert chat.says("urgent.text") and "110" in chat.text and "12348" in chat.text
    assert not chat.says("urgent.self_harm")


async def test_a_long_story_with_danger_in_it_gets_the_safety_line_first_then_its_answers(chat):
    story = ("我七十六岁了，儿子不给赡养费，还把房产证拿去抵押，天天骂我打我，"
             "我拄拐杖走不了远路，想立遗嘱，请律师要不要钱，能不能帮我写个状子")
    await chat.send(story)
    first, *rest = chat.last.replies
    assert first.text.startswith(chat.runtime.services.texts("urgent.text"))
    assert rest, "the story's questions were dropped after the safety line"
    offered = {o.payload for r in rest for o in r.options}
    assert {"faq:show:support_from_children", "faq:show:will_notary_fee", "book:start:told"} <= offered


async def test_a_short_cry_for_help_gets_the_safety_line_alone(chat):
    await chat.send("儿子天天打我")
    assert len(chat.last.replies) == 1 and chat.says("urgent.text")


async def test_words_of_self_harm_also_get_the_psychological_assistance_line(chat):
    await chat.send("老伴走了 儿子不管我 我不想活了")
    assert chat.says("urgent.text") and chat.says("urgent.self_harm") and "12356" in chat.text


async def test_a_stale_button_from_an_old_message_does_not_break_anything(chat):
    await chat.press("faq:show:no_such_entry")
    assert "过期" in chat.text
    assert chat.labels == MENU_LABELS


async def test_a_failing_flow_apologises_shows_the_menu_and_keeps_saved_state(chat, runtime, monkeypatch):
    await chat.send("/start")
    before = await runtime.services.store.load_state("console", "elder-1")

    async def boom(turn, text):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(runtime.dialogue.flows["faq"], "on_text", boom)
    await chat.send("遗嘱公证要钱吗")
    assert "对不起" in chat.text and chat.labels == MENU_LABELS
    assert await runtime.services.store.load_state("console", "elder-1") == before

    other = Chat(runtime, user_id="elder-2")
    monkeypatch.undo()
    await other.send("遗嘱公证要钱吗")
    assert "遗嘱" in other.text, "other people are unaffected"


async def test_unreadable_saved_state_starts_afresh_instead_of_failing(chat, runtime, clock):
    await runtime.services.store.save_state("console", "elder-1", "{not json", clock())
    await chat.send("/start")
    assert chat.labels == MENU_LABELS


async def test_state_is_saved_per_person_and_channel(runtime):
    a = Chat(runtime, channel="console", user_id="same")
    b = Chat(runtime, channel="telegram", user_id="same")
    await a.send("/start")
    await b.send("拨打12348")
    state_a = Conversation.model_validate_json(await runtime.services.store.load_state("console", "same"))
    state_b = Conversation.model_validate_json(await runtime.services.store.load_state("telegram", "same"))
    assert [o.label for o in state_a.options] == MENU_LABELS
    assert [o.label for o in state_b.options] == ["返回菜单"]


async def test_staff_can_tap_alert_buttons_in_the_staff_group(rt):
    staff_in_group = Incoming("telegram", str(STAFF_ID), rt.now(), kind=Kind.BUTTON,
                              payload="staff:lawyers", group=True)
    outcome = await rt.dialogue.handle(staff_in_group)
    assert outcome.replies[0].text != rt.services.texts("input.group")


@pytest.mark.parametrize("typed", ["²", "①", "٣"])
async def test_odd_digits_do_not_break_the_menu(chat, runtime, typed):
    await chat.send("/start")
    await chat.send(typed)
    assert chat.text != chat.texts("error.apology") and chat.options


async def test_a_clear_answer_offers_the_runner_up_as_its_first_button(chat, runtime):
    await chat.send("跟邻居吵架了 法援管不管")
    kb = runtime.services.matcher.kb
    assert kb.get("neighbour_dispute").answer.strip() in chat.text
    assert chat.options[0].payload == "faq:show:mediation_first"
    await chat.tap(kb.get("mediation_first").question)
    assert kb.get("mediation_first").answer.strip() in chat.text
