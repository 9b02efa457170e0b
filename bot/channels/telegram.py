"""The Telegram channel: python-telegram-bot's Application over the dialogue core.

Services are opened in `post_init` and closed in `post_shutdown` (an open aiosqlite
connection would keep the process alive at exit). Messages are sent as plain text, never
parsed as markup, so nothing a person types can change how a reply renders.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.config import Settings
from bot.runtime import Runtime
from handlers.events import Incoming, Kind, Notice, Reply

log = logging.getLogger(__name__)
CHANNEL = "telegram"
RUNTIME = "runtime"

# Inline keyboards: one big button per row, two per row only when the list is long.
WIDE_AFTER = 6


def event_from_update(update: Update, at: datetime) -> Incoming | None:
    """The channel-neutral event for an update, or None for updates that are not from a person."""
    user = update.effective_user
    chat = update.effective_chat
    if user is None or chat is None or user.is_bot:
        return None
    common = dict(
        channel=CHANNEL,
        user_id=str(user.id),
        at=at,
        group=chat.type != chat.PRIVATE,
        ref=str(update.update_id),
    )
    if update.callback_query is not None:
        return Incoming(kind=Kind.BUTTON, payload=update.callback_query.data or "", **common)
    message = update.effective_message
    if message is None:
        return None
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


def keyboard(reply: Reply) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    if not reply.options:
        return None
    if reply.main_menu:
        labels = [o.label for o in reply.options]
        rows = [labels[i : i + 2] for i in range(0, len(labels), 2)]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)
    buttons = [InlineKeyboardButton(o.label, callback_data=o.payload) for o in reply.options]
    per_row = 2 if len(buttons) > WIDE_AFTER else 1
    return InlineKeyboardMarkup([buttons[i : i + per_row] for i in range(0, len(buttons), per_row)])


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
    await bot.send_message(chat_id, reply.text, reply_markup=keyboard(reply))


async def deliver_notice(bot, notice: Notice) -> None:
    if notice.channel != CHANNEL:
        log.warning("no sender for channel %s; notice dropped", notice.channel)
        return
    await send_reply(bot, int(notice.user_id), notice.reply)


async def on_update(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Every update from a person goes through the dialogue core."""
    runtime: Runtime = context.application.bot_data[RUNTIME]
    if update.callback_query is not None:
        await update.callback_query.answer()
    ev = event_from_update(update, runtime.now())
    if ev is None:
        return
    outcome = await runtime.dialogue.handle(ev)
    chat_id = update.effective_chat.id
    for reply in outcome.replies:
        await send_reply(context.bot, chat_id, reply)
    for notice in outcome.notices:
        await deliver_notice(context.bot, notice)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the failing update and keep going; tell the person something went wrong."""
    update_id = getattr(update, "update_id", None)
    log.error("update %s failed", update_id, exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        runtime: Runtime | None = context.application.bot_data.get(RUNTIME)
        if runtime is not None:
            try:
                await context.bot.send_message(update.effective_chat.id, runtime.services.texts("error.apology"))
            except Exception:  # noqa: BLE001 - the apology itself failing must not loop
                log.warning("could not send the apology for update %s", update_id)


def build_application(
    settings: Settings, clock: Callable[[], datetime] | None = None
) -> Application:
    if settings.telegram_bot_token is None:
        raise ValueError("TELEGRAM_BOT_TOKEN is not set")

    async def post_init(app: Application) -> None:
        runtime = await Runtime.open(settings, clock)
        app.bot_data[RUNTIME] = runtime
        t = runtime.services.texts
        await app.bot.set_my_commands(
            [
                BotCommand("start", t("nav.menu")),
                BotCommand("menu", t("nav.menu")),
                BotCommand("help", t("help.command")),
                BotCommand("cancel", t("help.cancel_command")),
            ]
        )

    async def post_shutdown(app: Application) -> None:
        runtime: Runtime | None = app.bot_data.pop(RUNTIME, None)
        if runtime is not None:
            await runtime.close()

    root = settings.telegram_api_base_url
    app = (
        ApplicationBuilder()
        .token(settings.telegram_bot_token.get_secret_value())
        .base_url(f"{root}/bot")
        .base_file_url(f"{root}/file/bot")
        # Retries 429 (honouring retry_after) so replies still arrive, in order per chat.
        .rate_limiter(AIORateLimiter(max_retries=3))
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    # Callback queries and every kind of message go to the same core; order does not matter here.
    app.add_handler(CallbackQueryHandler(on_update))
    app.add_handler(MessageHandler(filters.ALL, on_update))
    app.add_error_handler(on_error)
    return app


def run_polling(settings: Settings) -> None:
    app = build_application(settings)
    # bootstrap_retries=-1: if Telegram is unreachable at start-up, keep retrying with back-off.
    app.run_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1, drop_pending_updates=False)
