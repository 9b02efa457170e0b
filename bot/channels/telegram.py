"""The Telegram channel: python-telegram-bot's Application over the dialogue core.

Updates become channel-neutral events (`event_from_update`); replies become sendMessage or
sendDocument with an inline keyboard, or the persistent menu keyboard. Messages are sent as
plain text, never parsed as markup, so nothing a person types can change how a reply renders.
Services are opened in `post_init` and closed in `post_shutdown` (an open aiosqlite connection
would keep the process alive at exit). How calls go out: telegram_requests.py; the order of
one person's updates: telegram_order.py; starting and stopping: telegram_run.py.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime
from functools import partial

from telegram import BotCommand, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.channels import telegram_order, telegram_requests, telegram_voice
from bot.channels.telegram_order import SETTLEMENTS, ChatLocks, ChatOrderedUpdateProcessor, Settlements
from bot.courier import Unreachable
from bot.runtime import Runtime
from bot.scheduler import tick
from common.config import Settings
from common.messages import Reply
from handlers.events import ChannelInfo, Incoming, Kind
from handlers.menu import main_menu_options

log = logging.getLogger(__name__)
CHANNEL = "telegram"
# Inline buttons, pushed messages and documents.
TELEGRAM = ChannelInfo(CHANNEL, numbered=False, push=True, files=True, voice=True)
RUNTIME = "runtime"

# The update types the bot acts on; Telegram is asked for these only (polling and webhook).

# Inline keyboards: one big button per row, two per row only when the list is long.
WIDE_AFTER = 6

# The scheduler's tick (reminders, re-notifications) and a retry of failed sends, at least this often.
TICK_SECONDS = 5.0


def event_from_update(update: Update, at: datetime) -> Incoming | None:
    """The channel-neutral event for an update, or None for updates that are not from a person."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    group = chat.type != chat.PRIVATE
    common = dict(
        channel=CHANNEL,
        user_id=str(user.id),
        at=at,
        group=group,
        ref=str(update.update_id),
        # Private chats: de-duplicated across restarts, replies queued with the turn and sent from
        # there. A group's reply goes to the group, which the outbox (keyed by person) cannot address.
        key="" if group else str(update.update_id),
    )
    if update.callback_query is not None:
        return Incoming(kind=Kind.BUTTON, payload=update.callback_query.data or "", **common)
    message = update.effective_message
    if message is None:
        return None
    if update.edited_message is not None and message.text is None:
        return None  # a live location moving, a caption fixed: nothing new to answer
    if message.text is not None:
        return Incoming(kind=Kind.TEXT, text=message.text, **common)
    if message.voice or message.audio or message.video_note:
        kind = Kind.VOICE
    elif message.photo or message.video:
        kind = Kind.PHOTO
    elif message.sticker:
        kind = Kind.STICKER
    elif message.location or message.venue:
        kind = Kind.LOCATION
    elif message.contact:
        kind = Kind.CONTACT
    elif message.document:
        kind = Kind.FILE
    else:
        kind = Kind.OTHER
    return Incoming(kind=kind, text=message.caption or "", **common)


def keyboard(reply: Reply) -> dict[str, object] | None:
    """The reply's buttons as the Bot API's JSON object: what PTB's InlineKeyboardMarkup or
    ReplyKeyboardMarkup serialises to, byte for byte (tests/bot/test_telegram_markup.py).

    A plain dict rather than PTB's objects: building those (every attribute set through
    TelegramObject.__setattr__) and walking them back with to_dict cost about 0.2 ms a reply
    with five buttons, against 0.05 ms for the dict (both including PTB's request encoding).
    """
    if not reply.options:
        return None
    if reply.main_menu:
        labels = [{"text": o.label} for o in reply.options]
        rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
        return {"is_persistent": True, "keyboard": rows, "resize_keyboard": True}  # PTB's key order
    buttons = [{"callback_data": o.payload, "text": o.label} for o in reply.options]  # PTB's key order
    per_row = 2 if len(buttons) > WIDE_AFTER else 1
    return {"inline_keyboard": [buttons[i : i + per_row] for i in range(0, len(buttons), per_row)]}


async def send_reply(bot, chat_id: int | str, reply: Reply) -> None:
    if reply.document is not None:
        await bot.send_document(
            chat_id,
            document=reply.document.content,
            filename=reply.document.filename,
            caption=reply.text[:1024],
            reply_markup=keyboard(reply),
        )
        return
    # Bot.send_message would turn Telegram's answer (the message as sent, its keyboard and all) into
    # PTB objects that nothing reads: about 0.2 ms of CPU a reply, more than the request costs to build.
    # `_post` is the request send_message makes (defaults, rate limiter, retries), without that parse.
    await bot._post("sendMessage", {"chat_id": chat_id, "text": reply.text, "reply_markup": keyboard(reply)})


async def _acknowledge(query) -> None:
    """Stop the button's spinner; a failure here must not cost the person their answer."""
    try:
        await query.answer()
    except TelegramError as exc:
        log.warning("could not answer callback query %s: %s", query.id, exc)


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every update from a person goes through the dialogue core (inside the chat's turn)."""
    app = context.application
    runtime: Runtime = app.bot_data[RUNTIME]
    ev = event_from_update(update, runtime.now())
    chat = update.effective_chat
    # The spinner stops while the answer is being worked out, not after it was sent.
    ack = asyncio.create_task(_acknowledge(update.callback_query)) if update.callback_query else None
    if ack is not None:
        # Its request goes out first: the turn may not pause before its reply (SQLite runs on the loop).
        await asyncio.sleep(0)
    try:
        if ev is None or chat is None:
            return
        ev = await telegram_voice.heard(update, ev, context.bot, runtime)
        with runtime.courier.holding(CHANNEL, ev.user_id):
            outcome = await runtime.handle(ev)
            app.bot_data[SETTLEMENTS].settle(update.update_id)  # saved: the update may be confirmed now
            # Sent at once for speed; each reply is marked sent, and one that fails is retried by the
            # courier from the outbox (never replaced by an apology).
            await runtime.courier.deliver_replies(CHANNEL, ev.user_id, outcome.replies, outcome.queued,
                                                  partial(send_reply, context.bot, chat.id))
        await telegram_voice.speak(context.bot, chat.id, outcome.replies, runtime)
    finally:
        if ack is not None:
            await ack
    if outcome.notices:
        # Delivered by the courier's own task: it takes the lock of each chat it writes to, and
        # this chat's lock is held until this update is done.
        runtime.courier.wake()


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failing update and keep going; give the person an apology and the menu."""
    update_id = getattr(update, "update_id", None)
    log.error("update %s failed: %r", update_id, context.error, exc_info=context.error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    app = context.application
    runtime: Runtime | None = app.bot_data.get(RUNTIME)
    if runtime is None:
        return
    t = runtime.services.texts
    apology = Reply(t("error.apology"), main_menu_options(t), main_menu=True)
    try:
        # Runs inside the failed update's turn: the chat lock is already held.
        await send_reply(context.bot, update.effective_chat.id, apology)
    except Exception:  # noqa: BLE001 - the apology itself failing must not loop
        log.warning("could not send the apology for update %s", update_id)


def build_application(
    settings: Settings,
    clock: Callable[[], datetime] | None = None,
    *,
    flood_limit: float | None = telegram_requests.FLOOD_LIMIT_PER_SECOND,
) -> Application:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")
    locks = ChatLocks()
    settlements = Settlements()

    async def post_init(app: Application) -> None:
        runtime = await Runtime.open(settings, clock)
        app.bot_data[RUNTIME] = runtime

        async def send_queued(user_id: str, reply: Reply) -> None:
            chat_id = int(user_id)
            async with locks.hold(chat_id):
                try:
                    await send_reply(app.bot, chat_id, reply)
                except Forbidden as exc:  # they blocked the bot: nothing gets through until they unblock
                    raise Unreachable() from exc

        runtime.attach(TELEGRAM, send_queued)
        runtime.courier.start(lambda: tick(runtime), TICK_SECONDS)
        t = runtime.services.texts
        try:
            await app.bot.set_my_commands(
                [
                    BotCommand("start", t("nav.menu")),
                    BotCommand("menu", t("nav.menu")),
                    BotCommand("help", t("help.command")),
                    BotCommand("cancel", t("help.cancel_command")),
                ]
            )
        except TelegramError as exc:  # the command list is a convenience; start without it
            log.warning("could not set the command list: %s", exc)

    async def post_stop(app: Application) -> None:
        runtime: Runtime | None = app.bot_data.get(RUNTIME)
        if runtime is not None:
            await runtime.courier.stop()

    async def post_shutdown(app: Application) -> None:
        runtime: Runtime | None = app.bot_data.pop(RUNTIME, None)
        if runtime is not None:
            await runtime.courier.stop()
            await runtime.close()

    requests, updates_request = telegram_requests.bot_api_requests()
    root = settings.telegram_api_base_url
    app = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        .request(requests)
        .get_updates_request(updates_request)
        .rate_limiter(telegram_requests.rate_limiter(flood_limit))
        .concurrent_updates(ChatOrderedUpdateProcessor(locks, telegram_order.CONCURRENT_CHATS, settlements))
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    # Callback queries and every kind of message go to the same core.
    app.add_handler(CallbackQueryHandler(on_update))
    app.add_handler(MessageHandler(filters.ALL, on_update))
    app.add_error_handler(on_error)
    app.bot_data[SETTLEMENTS] = settlements
    return app
