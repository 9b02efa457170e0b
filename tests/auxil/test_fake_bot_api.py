"""Self-test of FakeBotApi: a real PTB Application and Bot talk to it over 127.0.0.1."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.request import HTTPXRequest

from tests.auxil.fake_bot_api import FakeBotApi

pytestmark = pytest.mark.timeout(20)

TOKEN = "123:ABC"
USER = 42
MENU = InlineKeyboardMarkup(
    [[InlineKeyboardButton("是", callback_data="menu:yes"),
      InlineKeyboardButton("否", callback_data="menu:no")]]
)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as fake:
        yield fake


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url) as the_bot:
        yield the_bot


def build_app(api: FakeBotApi, *, rate_limiter: AIORateLimiter | None = None
              ) -> tuple[Application, list[BaseException]]:
    """An echo bot with a /menu of inline buttons; errors are collected, not logged."""
    builder = ApplicationBuilder().token(TOKEN).base_url(api.base_url)
    builder = builder.base_file_url(api.base_file_url)
    if rate_limiter is not None:
        builder = builder.rate_limiter(rate_limiter)
    app = builder.build()
    errors: list[BaseException] = []

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text(update.message.text)

    async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.message.reply_text("请选择", reply_markup=MENU)

    async def choose(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        await query.answer(f"收到 {query.data}")

    async def collect(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)

    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    app.add_handler(CallbackQueryHandler(choose))
    app.add_error_handler(collect)
    return app, errors


@asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:
    async with app:
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


# ---------------------------------------------------------------- the real Application


async def test_polling_application_echoes_a_pushed_text(api: FakeBotApi) -> None:
    app, errors = build_app(api)
    async with polling(app):
        replies = await api.say(USER, "你好，我想申请法律援助")
    assert [m.text for m in replies] == ["你好，我想申请法律援助"]
    assert replies[0].payload["from"]["is_bot"] is True
    methods = [call.method for call in api.calls]
    assert methods[0] == "getMe"
    assert methods.index("deleteWebhook") < methods.index("getUpdates")
    # updater.stop() confirms what it fetched, so a restart would not see it again
    assert api.pending_updates == []
    assert errors == []


async def test_callback_query_is_answered(api: FakeBotApi) -> None:
    app, errors = build_app(api)
    async with polling(app):
        api.push_command(USER, "menu")
        [menu] = await api.wait_for_messages(USER, 1)
        assert menu.button_texts == ["是", "否"]
        update_id = api.push_button(USER, "是")
        answer = await api.wait_for_callback_answer(update_id)
    assert answer["text"] == "收到 menu:yes"
    assert errors == []


async def test_aio_rate_limiter_retries_a_429_and_the_message_still_arrives(
    api: FakeBotApi,
) -> None:
    app, errors = build_app(api, rate_limiter=AIORateLimiter(max_retries=2))
    api.fail_next("sendMessage", status=429, retry_after=1)
    async with polling(app):
        started = time.monotonic()
        replies = await api.say(USER, "在吗", timeout=4)
        elapsed = time.monotonic() - started
    assert [m.text for m in replies] == ["在吗"]
    assert api.request_counts["sendMessage"] == 2
    assert elapsed >= 1.0  # it honoured retry_after
    assert errors == []


async def test_a_429_without_rate_limiter_reaches_the_error_handler(api: FakeBotApi) -> None:
    app, errors = build_app(api)
    api.fail_next("sendMessage", status=429, retry_after=7)
    async with polling(app):
        api.push_text(USER, "在吗")
        await api.wait_for(lambda: errors)
    assert isinstance(errors[0], RetryAfter)
    assert re.search(r"Retry in (7 seconds|0:00:07)", str(errors[0]))  # PTB_TIMEDELTA changes the wording
    assert api.sent(USER) == []


async def test_a_500_reaches_the_error_handler_as_network_error(api: FakeBotApi) -> None:
    app, errors = build_app(api)
    api.fail_next("sendMessage", status=500)
    async with polling(app):
        api.push_text(USER, "在吗")
        await api.wait_for(lambda: errors)
        replies = await api.say(USER, "再试一次")  # the fault was one-shot
    assert isinstance(errors[0], NetworkError)
    assert "Internal Server Error" in str(errors[0])
    assert [m.text for m in replies] == ["再试一次"]


async def test_polling_recovers_after_telegram_was_unreachable(api: FakeBotApi) -> None:
    app, errors = build_app(api)
    async with polling(app):
        await api.wait_for(lambda: api.request_counts["getUpdates"] >= 1)
        await api.stop_answering("refuse")
        api.push_text(USER, "断网时发的")
        await api.resume()
        [reply] = await api.wait_for_messages(USER, 1)
    assert reply.text == "断网时发的"


# ---------------------------------------------------------------- getUpdates


async def test_long_poll_returns_as_soon_as_an_update_is_pushed(
    api: FakeBotApi, bot: Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=10))
    await api.wait_for(lambda: api.request_counts["getUpdates"] == 1)
    started = time.monotonic()
    update_id = api.push_text(USER, "你好")
    [update] = await asyncio.wait_for(poll, 2)
    assert time.monotonic() - started < 1
    assert update.update_id == update_id and update.message.text == "你好"
    # unconfirmed updates are delivered again; offset confirms them
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [update_id]
    assert await bot.get_updates(offset=update_id + 1, timeout=0) == ()
    assert api.pending_updates == []


async def test_empty_long_poll_waits_for_its_timeout(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 <= time.monotonic() - started < 2


async def test_get_updates_conflicts_like_telegram(api: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=10))
    await api.wait_for(lambda: api.request_counts["getUpdates"] == 1)
    second = Bot(TOKEN, base_url=api.base_url)
    async with second:
        assert await second.get_updates(timeout=0) == ()
    with pytest.raises(Conflict, match="terminated by other getUpdates"):
        await first
    await bot.set_webhook("https://example.invalid/hook")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    await bot.delete_webhook()
    assert await bot.get_updates(timeout=0) == ()


async def test_update_builders_produce_updates_ptb_parses(api: FakeBotApi, bot: Bot) -> None:
    api.push_command(USER, "start 来源")
    api.push_text(-100, "群里的话", chat_id=-100, chat_type="group", first_name="张三")
    voice_id = api.push_voice(USER, duration=5, content=b"OggS-voice")
    api.push_photo(USER, caption="身份证")
    api.push_sticker(USER, emoji="🙏")
    api.push_location(USER, 28.97, 118.87)
    api.push_contact(USER, "13800000000")
    api.push_document(USER, "材料.pdf", b"%PDF", mime_type="application/pdf")
    api.push_edited_text(USER, 1, "/start 改了")
    updates = await bot.get_updates(timeout=0)
    assert [u.update_id for u in updates] == list(range(1, 10))
    command, group, voice, photo, sticker, location, contact, document, edited = updates

    assert command.message.text == "/start 来源"
    assert filters.COMMAND.check_update(command)
    assert group.effective_chat.type == "group" and group.effective_user.first_name == "张三"
    assert voice.message.voice.to_dict()["duration"] == 5
    assert photo.message.photo[-1].width == 800 and photo.message.caption == "身份证"
    assert sticker.message.sticker.emoji == "🙏"
    assert location.message.location.latitude == pytest.approx(28.97)
    assert contact.message.contact.user_id == USER
    assert document.message.document.file_name == "材料.pdf"
    assert edited.edited_message.text == "/start 改了" and edited.edited_message.edit_date
    # the ids of user messages in a chat count up, shared with the bot's own messages
    assert [u.message.message_id for u in (command, voice, photo)] == [1, 2, 3]
    assert voice_id == voice.update_id


# ---------------------------------------------------------------- sending


async def test_send_document_keeps_the_chinese_filename_and_bytes(
    api: FakeBotApi, bot: Bot
) -> None:
    content = "申请表内容".encode() + b"\x00\xff"
    message = await bot.send_document(USER, content, filename="法律援助申请表.docx",
                                      caption="请填写")
    [sent] = api.sent(USER)
    assert sent.document is not None
    assert sent.document.filename == "法律援助申请表.docx"
    assert sent.document.content == content
    assert sent.caption == "请填写" and sent.message_id == message.message_id
    assert message.document.file_name == "法律援助申请表.docx"


async def test_reply_keyboards_are_recorded_but_not_echoed(api: FakeBotApi, bot: Bot) -> None:
    keyboard = ReplyKeyboardMarkup([["法律援助", "上门服务"], ["律师点"]])
    message = await bot.send_message(USER, "您好", reply_markup=keyboard)
    assert message.reply_markup is None  # Telegram returns only inline keyboards
    [sent] = api.sent(USER)
    assert sent.button_texts == ["法律援助", "上门服务", "律师点"]


async def test_parameters_are_decoded_from_form_json_and_query(api: FakeBotApi) -> None:
    url = f"{api.base_url}{TOKEN}/sendMessage"
    markup = {"inline_keyboard": [[{"text": "是", "callback_data": "1"}]]}
    async with aiohttp.ClientSession() as session:
        async with session.post(url, json={"chat_id": 7, "text": "123",
                                           "reply_markup": markup}) as response:
            body = await response.json()
        async with session.post(url, data={"chat_id": "7", "text": "true",
                                           "disable_notification": "true"}) as response:
            assert response.status == 200
        async with session.get(url, params={"chat_id": "7", "text": "查询"}) as response:
            assert response.status == 200
    assert body["ok"] is True and body["result"]["reply_markup"] == markup
    assert api.calls_to("sendMessage") == [
        {"chat_id": 7, "text": "123", "reply_markup": markup},
        {"chat_id": 7, "text": "true", "disable_notification": True},
        {"chat_id": 7, "text": "查询"},
    ]
    assert [m.message_id for m in api.sent(7)] == [1, 2, 3]


async def test_unknown_method_answers_telegrams_404(api: FakeBotApi, bot: Bot) -> None:
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{api.base_url}{TOKEN}/fooBar") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False, "error_code": 404, "description": "Not Found"
            }
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("fooBar")
    assert api.unknown_methods == ["fooBar", "fooBar"]


async def test_limits_and_callback_answers_are_enforced(api: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(USER, "字" * 4097)
    await bot.send_message(USER, "字" * 4096)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="数" * 22)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(USER, "x", reply_markup=too_long)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query("never-issued")
    with pytest.raises(AssertionError, match="no button with callback_data"):
        api.push_callback(USER, "menu:yes")


# ---------------------------------------------------------------- faults and observing


async def test_fail_next_counts_down_and_delay_holds_requests(
    api: FakeBotApi, bot: Bot
) -> None:
    api.fail_next("sendMessage", status=502, times=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway"):
            await bot.send_message(USER, "第一次")
    await bot.send_message(USER, "第三次")
    assert api.request_counts["sendMessage"] == 3
    api.delay("sendMessage", 0.3)
    sending = asyncio.create_task(bot.send_message(USER, "慢"))
    await api.wait_for(lambda: api.request_counts["sendMessage"] == 4)
    assert not sending.done()  # received, and held back by the fake
    await sending
    assert [m.text for m in api.sent(USER)] == ["第三次", "慢"]


async def test_hang_outage_times_out_and_drops_the_abandoned_request(api: FakeBotApi) -> None:
    impatient = Bot(TOKEN, base_url=api.base_url, request=HTTPXRequest(read_timeout=0.3))
    async with impatient:
        await api.stop_answering("hang")
        with pytest.raises(TimedOut):
            await impatient.send_message(USER, "发不出去")
        assert api.request_counts["sendMessage"] == 1  # it arrived, and was held
        await api.wait_for(lambda: api.held_requests == 0)  # PTB hung up on it
        await api.resume()
        await impatient.send_message(USER, "恢复了")
    assert [m.text for m in api.sent(USER)] == ["恢复了"]


async def test_refuse_outage_raises_network_error_until_resumed(
    api: FakeBotApi, bot: Bot
) -> None:
    await api.stop_answering("refuse")
    for _ in range(2):  # the pooled connection is dropped, then new ones are refused
        with pytest.raises(NetworkError):
            await bot.send_message(USER, "发不出去")
    await api.resume()
    await bot.send_message(USER, "恢复了")
    assert [m.text for m in api.sent(USER)] == ["恢复了"]


async def test_blocked_user_gets_forbidden(api: FakeBotApi, bot: Bot) -> None:
    api.block(USER)
    with pytest.raises(Forbidden, match="blocked by the user"):
        await bot.send_message(USER, "提醒")
    api.unblock(USER)
    await bot.send_message(USER, "提醒")


async def test_bot_commands_are_checked_like_telegram(api: FakeBotApi, bot: Bot) -> None:
    assert await bot.set_my_commands([("start", "开始"), ("help", "帮助")]) is True
    with pytest.raises(BadRequest, match="(?i)bot_command_invalid"):
        await bot.set_my_commands([("Start Here", "开始")])


async def test_wait_for_timeout_explains_what_happened(api: FakeBotApi, bot: Bot) -> None:
    await bot.send_message(USER, "已发送的消息")
    api.push_text(USER, "没人取的更新")
    with pytest.raises(AssertionError) as raised:
        await api.wait_for_messages(USER, 2, timeout=0.2)
    report = str(raised.value)
    assert "2 message(s) to chat 42" in report
    assert "getMe" in report and "已发送的消息" in report
    assert "Pending updates: [1]" in report
