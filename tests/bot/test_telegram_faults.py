"""The Telegram channel when things go wrong: flood control, 5xx, timeouts, crashes, an outage at start."""

from __future__ import annotations

import asyncio
import logging
import signal

import pytest

from common.catalog import load_catalog
from bot.channels import telegram as channel
from bot.channels import telegram_order, telegram_requests
from common.messages import Document, Notice, Reply
from handlers.menu import main_menu_options
from storage.outbox import Topic, outbox_key
from tests.auxil.fake_bot_api import FakeBotApi
from tests.auxil.running_bot import running_bot
from tests.bot.test_sigterm import bot_log, bot_process

pytestmark = pytest.mark.timeout(30)
USER = 7101
OTHER = 7102
FEE_QUESTION = "我爸八十二岁了，做遗嘱公证要钱吗"


@pytest.fixture
async def api():
    async with FakeBotApi() as fake:
        yield fake


def apology_text() -> str:
    return load_catalog()("error.apology")


async def tap(api: FakeBotApi, user: int, label: str, replies: int = 1) -> None:
    before = len(api.sent(user))
    api.push_button(user, label)
    await api.wait_for_messages(user, before + replies)


async def type_text(api: FakeBotApi, user: int, text: str) -> None:
    before = len(api.sent(user))
    api.push_text(user, text)
    await api.wait_for_messages(user, before + 1)


async def up_to_the_eligibility_review(api: FakeBotApi, user: int) -> None:
    """A family member answers the questionnaire; the next tap, 看结果, sends two messages."""
    await type_text(api, user, "查资格")
    await tap(api, user, "替家人问")
    await type_text(api, user, "八十二")
    await tap(api, user, "龙游县")
    await tap(api, user, "好了")
    await tap(api, user, "没办过")


async def test_a_429_with_retry_after_is_waited_out_and_the_reply_arrives(api, settings, clock):
    async with running_bot(settings, api, clock):
        api.fail_next("sendMessage", status=429, retry_after=1)
        replies = await api.say(USER, FEE_QUESTION, timeout=6)
    assert "80周岁及以上" in replies[0].text
    assert api.request_counts["sendMessage"] == 2  # the refused one and its retry


async def test_a_500_is_retried_and_the_reply_arrives(api, settings, clock):
    async with running_bot(settings, api, clock):
        api.fail_next("sendMessage", status=500)
        replies = await api.say(USER, FEE_QUESTION)
    assert "80周岁及以上" in replies[0].text
    assert apology_text() not in [m.text for m in api.sent(USER)]


async def test_a_timed_out_send_is_retried_and_the_reply_arrives(api, settings, clock, monkeypatch):
    monkeypatch.setattr(telegram_requests, "READ_TIMEOUT_SECONDS", 0.5)
    async with running_bot(settings, api, clock):
        api.delay("sendMessage", 3)
        api.push_text(USER, "/start")
        await api.wait_for(lambda: api.calls_to("sendMessage"))
        api.delay("sendMessage", 0)  # Telegram answers again before the first attempt times out
        first = (await api.wait_for_messages(USER, 1))[0]
    assert first.text == load_catalog()("menu.title")


@pytest.mark.parametrize("status", [429, 500])
async def test_replies_to_one_chat_keep_their_order_when_one_is_refused(api, settings, clock, status):
    async with running_bot(settings, api, clock):
        # What the same steps give without any fault: the result, then the menu.
        await up_to_the_eligibility_review(api, OTHER)
        await tap(api, OTHER, "看结果")
        await type_text(api, OTHER, "/start")
        expected = [m.text for m in api.sent(OTHER)[-2:]]

        await up_to_the_eligibility_review(api, USER)
        before = len(api.sent(USER))
        # The result message is refused. A 429 holds back every request (AIORateLimiter);
        # a 500 holds back only the retried one, so only the chat lock keeps the menu last.
        api.fail_next("sendMessage", status=status, retry_after=1)
        api.push_button(USER, "看结果")
        api.push_text(USER, "/start")  # a quick second tap, while the first is held back
        await api.wait_for_messages(USER, before + 2, timeout=8)
    assert [m.text for m in api.sent(USER)[before:]] == expected
    assert "免经济审查" in expected[0]


async def test_a_person_sending_many_messages_at_once_does_not_hold_up_others(
    api, settings, clock, monkeypatch
):
    monkeypatch.setattr(telegram_order, "CONCURRENT_CHATS", 4)
    async with running_bot(settings, api, clock):
        api.delay("sendMessage", 0.05)  # every reply takes a while, as over a real network
        for _ in range(12):
            api.push_text(USER, "/start")
        api.push_text(OTHER, FEE_QUESTION)
        await api.wait_for_messages(USER, 12, timeout=10)
        await api.wait_for_messages(OTHER, 1)
    order = [call.params["chat_id"] for call in api.calls if call.method == "sendMessage"]
    # The twelve turns of one person wait for each other, not for a free slot: the other
    # person is answered while they are still going on.
    assert order.index(OTHER) < order.index(USER) + 4


async def test_an_error_outside_the_flows_gets_an_apology_and_the_menu_and_is_logged(
    api, settings, clock, caplog, monkeypatch
):
    caplog.set_level(logging.ERROR, logger=channel.__name__)
    async with running_bot(settings, api, clock) as app:
        store = app.bot_data[channel.RUNTIME].services.store
        begin_turn = store.begin_turn

        async def broken_for_one_person(chat: str, user_id: str, event: str = ""):
            if user_id == str(USER):
                raise RuntimeError("disk trouble")
            return await begin_turn(chat, user_id, event)

        monkeypatch.setattr(store, "begin_turn", broken_for_one_person)
        update_id = api.push_text(USER, FEE_QUESTION)
        [apology] = await api.wait_for_messages(USER, 1)
        others = await api.say(OTHER, FEE_QUESTION)
    assert apology.text == apology_text()
    assert apology.button_texts == [o.label for o in main_menu_options(load_catalog())]
    assert "80周岁及以上" in others[0].text
    failure = next(r for r in caplog.records if r.name == channel.__name__ and r.levelno == logging.ERROR)
    assert str(update_id) in failure.getMessage() and failure.exc_info is not None


async def test_a_flow_error_for_one_person_does_not_touch_another(api, settings, clock, monkeypatch):
    async with running_bot(settings, api, clock) as app:
        faq = app.bot_data[channel.RUNTIME].dialogue.flows["faq"]
        on_text = faq.on_text

        async def broken_for_one_person(turn, text):
            if turn.ev.user_id == str(USER):
                raise ValueError("bad entry")
            await on_text(turn, text)

        monkeypatch.setattr(faq, "on_text", broken_for_one_person)
        api.push_text(USER, FEE_QUESTION)
        others = await api.say(OTHER, FEE_QUESTION)
        [apology] = await api.wait_for_messages(USER, 1)
    assert apology.text == apology_text()
    assert "问政策" in apology.button_texts
    assert "80周岁及以上" in others[0].text


async def test_a_document_keeps_its_chinese_file_name(api, settings, clock):
    content = "申请人：张三\n".encode() * 50
    async with running_bot(settings, api, clock) as app:
        reply = Reply("请查收申请表", document=Document("法律援助申请表.docx", content))
        await channel.send_reply(app.bot, USER, reply)
    [sent] = api.sent(USER)
    assert sent.document.filename == "法律援助申请表.docx"  # not percent-encoded
    assert sent.document.content == content
    assert sent.caption == "请查收申请表"


async def test_telegram_unreachable_at_start_up_the_bot_keeps_trying_then_answers(api, tmp_path):
    await api.stop_answering("refuse")
    async with bot_process(api, tmp_path) as proc:
        await asyncio.sleep(1.5)
        assert proc.returncode is None, bot_log(tmp_path)
        await api.resume()
        try:
            replies = await api.say(USER, "/start", timeout=15)
        except AssertionError:
            pytest.fail("no answer after Telegram came back\n" + bot_log(tmp_path))
        proc.send_signal(signal.SIGTERM)
        await asyncio.wait_for(proc.wait(), timeout=8)
    assert replies[-1].text == load_catalog()("menu.title")


async def test_an_edited_live_location_is_not_answered_again_but_an_edited_text_is(api, settings, clock):
    async with running_bot(settings, api, clock):
        api.push_location(USER, 28.97, 118.87)
        await api.wait_for_messages(USER, 1)
        for _ in range(3):
            api.push_update({"edited_message": {
                "message_id": 1, "date": 0, "edit_date": 1, "chat": {"id": USER, "type": "private"},
                "from": {"id": USER, "is_bot": False, "first_name": "测试"},
                "location": {"latitude": 28.97, "longitude": 118.87}, "live_period": 600}})
        api.push_edited_text(USER, 1, "拨打12348")
        await api.wait_for_messages(USER, 2)
    assert len(api.sent(USER)) == 2 and "24小时" in api.sent(USER)[-1].text


async def test_a_reminder_to_someone_who_blocked_the_bot_is_given_up_and_staff_told_at_once(api, settings, clock):
    staffed = settings.model_copy(update={"staff_chat_id": -100})
    async with running_bot(staffed, api, clock) as app:
        runtime = app.bot_data[channel.RUNTIME]
        api.block(USER)
        notice = Notice("telegram", str(USER), Reply("提醒：明天上午上门"), outbox_key(Topic.ANSWER, "blocked"))
        await runtime.services.store.enqueue(notice, clock())
        runtime.courier.wake()
        [told] = await api.wait_for_messages(-100, 1)
        for _ in range(100):  # the staff message is marked sent just after Telegram took it
            if not await runtime.services.store.unsent({"telegram"}, clock()):
                break
            await asyncio.sleep(0.05)
        assert await runtime.services.store.unsent({"telegram"}, clock()) == []
    assert told.text.startswith(runtime.services.texts("outbox.unreachable", start="")[:10])
    assert "提醒：明天上午上门" in told.text and api.sent(USER) == []


async def test_a_reply_refused_past_the_quick_retries_comes_later_from_the_outbox_once(api, settings, clock,
                                                                                       monkeypatch):
    """Issue 13, 7: four 5xx in a row used to lose the reply (the person got the apology instead)."""
    from bot import courier
    from common.retry import Backoff

    monkeypatch.setattr(courier, "RETRY", Backoff(first=0.2, factor=2.0, cap=1.0))
    monkeypatch.setattr(telegram_requests, "SEND_RETRY", Backoff(first=0.01, factor=1, cap=0.01, retries=3))
    async with running_bot(settings, api, clock) as app:
        api.fail_next("sendMessage", status=502, times=4)  # the send and its three quick retries
        replies = await api.say(USER, FEE_QUESTION, timeout=10)
        store = app.bot_data[channel.RUNTIME].services.store
        for _ in range(100):  # marked sent just after Telegram took it
            if not await store.unsent({"telegram"}, clock()):
                break
            await asyncio.sleep(0.05)
        assert await store.unsent({"telegram"}, clock()) == []
        await asyncio.sleep(0.5)  # nothing more comes
    assert [m.text for m in api.sent(USER)] == [replies[0].text]
    assert "80周岁及以上" in replies[0].text and apology_text() not in replies[0].text
