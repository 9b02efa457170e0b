"""Navigation words typed at a form's question move about the form and are never stored as an answer
(walk 05:40: 回去 was stored as the elder's name)."""

from __future__ import annotations

import pytest

from handlers.state import Conversation
from tests.auxil.chat import Chat
from tests.handlers.test_form_back import REVIEW, STEPS

FREE_TEXT = ("name", "phone", "township", "address", "access", "matter")


async def draft(runtime, chat) -> dict:
    state = Conversation.model_validate_json(await runtime.services.store.load_state(chat.channel, chat.user_id))
    return state.data.get("book", {})


@pytest.mark.parametrize("key", FREE_TEXT)
@pytest.mark.parametrize("word", ["回去", "上一页", "返回上一个", "我要回去"])
async def test_a_back_word_at_a_free_text_question_goes_back(runtime, key, word):
    chat = Chat(runtime, user_id=f"nav-{key}-{word}")
    await chat.send("预约上门办申请")
    at = [k for k, _ in STEPS].index(key)
    for _, answer in STEPS[:at]:
        await answer(chat)
    assert chat.says(f"book.ask.{key}")
    stored = await draft(runtime, chat)
    await chat.send(word)
    assert chat.says(f"book.ask.{STEPS[at - 1][0]}"), chat.text
    after = await draft(runtime, chat)
    assert word not in str({k: v for k, v in after.items() if k not in ("asked", "again")})
    assert {k: v for k, v in after.items() if k not in ("asked", "again", "misses", "picked")} == \
        {k: v for k, v in stored.items() if k not in ("asked", "again", "misses", "picked")}
    for _, answer in STEPS[at - 1:]:
        await answer(chat)
    assert chat.says("book.review", **REVIEW), chat.text


async def test_back_word_in_the_eligibility_check(typist):
    for answer in ("查资格", "替家人问", "回去"):
        await typist.send(answer)
    assert typist.says("eq.ask_asker"), typist.text


@pytest.mark.parametrize(("word", "text_id"), [("回主菜单", "menu.title"), ("回到首页", "menu.title"),
                                               ("不填了", "nav.cancelled"), ("先不约了", "nav.cancelled")])
async def test_menu_and_quit_words_at_a_question_leave_the_form(runtime, word, text_id):
    chat = Chat(runtime, user_id=f"nav-{word}")
    await chat.send("预约上门办申请")
    for _, answer in STEPS[:4]:
        await answer(chat)
    assert chat.says("book.ask.name")
    await chat.send(word)
    assert chat.says(text_id), chat.text
    assert "name" not in await draft(runtime, chat)


async def test_a_sentence_that_contains_such_a_word_is_not_navigation(runtime):
    chat = Chat(runtime, user_id="nav-name")
    await chat.send("预约上门办申请")
    for _, answer in STEPS[:4]:
        await answer(chat)
    await chat.send("我想回去老家住")  # only the whole message is read as navigation
    assert not chat.says("book.ask.window"), chat.text
