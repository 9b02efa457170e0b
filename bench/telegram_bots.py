"""The two Telegram bots the bench compares, each run in its own process.

    python -m bench.telegram_bots echo|ours --api-root URL [--lifted]

Both are built with the same ApplicationBuilder settings as `bot.channels.telegram.build_application`:
our aiohttp transport with our pool size and timeouts (`telegram_requests.bot_api_requests`), our rate
limiter (`telegram_requests.rate_limiter`: Telegram's 30 msg/s flood limit as shipped, none when
lifted), our per-chat ordered update processor with CONCURRENT_CHATS chats at once, and polling
with our parameters. Only the handler differs: the echo bot sends back what it got (and answers
a tapped button), ours runs the dialogue. tests/bench/test_baselines.py checks the settings
stay the same.

Ours as shipped is not started from here: the bench runs `legalaid telegram` itself. Ours with
limits lifted (`ours --lifted`) is `legalaid telegram` with the flood limit off; the per-person
limit is lifted by the bench through LEGALAID_RATE_LIMIT_PER_MINUTE.

Both receive through our own polling loop (`telegram_run.polling`), which confirms a batch only
once every update in it is settled: ours settles when the turn is saved, the echo bot when its
handler starts (it has nothing to save). Both run under `telegram_run.until_signal`, so both get
the same garbage-collector settings once started (`telegram_run.settle_heap`).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from functools import partial

TOKEN = "123456:BENCH-TOKEN"
# What `polling` in bot/channels/telegram_run.py uses by default.
POLL_INTERVAL = 0.0
POLL_TIMEOUT = 10


def echo_application(api_root: str, lifted: bool):
    """The echo bot: our transport, rate limiter and update processor; an echo for a handler."""
    from telegram import Update
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

    # Only these two modules of ours: the echo process must not load the dialogue (its RSS is compared).
    from bot.channels import telegram_order, telegram_requests

    settlements = telegram_order.Settlements()

    async def echo(update: Update, context) -> None:
        settlements.settle(update.update_id)
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text or "?")

    async def tapped(update: Update, context) -> None:
        settlements.settle(update.update_id)
        # As ours does: the spinner is stopped while the answer is sent.
        ack = asyncio.create_task(update.callback_query.answer())
        try:
            await context.bot.send_message(update.effective_chat.id, update.callback_query.data or "?")
        finally:
            await ack

    requests, updates_request = telegram_requests.bot_api_requests()
    flood_limit = None if lifted else telegram_requests.FLOOD_LIMIT_PER_SECOND
    locks = telegram_order.ChatLocks()
    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .request(requests)
        .get_updates_request(updates_request)
        .rate_limiter(telegram_requests.rate_limiter(flood_limit))
        .concurrent_updates(
            telegram_order.ChatOrderedUpdateProcessor(locks, telegram_order.CONCURRENT_CHATS, settlements))
        .build()
    )
    app.add_handler(CallbackQueryHandler(tapped))
    app.add_handler(MessageHandler(filters.ALL, echo))
    app.bot_data[telegram_order.SETTLEMENTS] = settlements
    return app


def serve_echo(api_root: str, lifted: bool) -> None:
    from bot.channels import telegram_run

    app = echo_application(api_root, lifted)
    receiving = partial(telegram_run.polling, poll_interval=POLL_INTERVAL, timeout=POLL_TIMEOUT)
    asyncio.run(telegram_run.until_signal(app, receiving))


def serve_ours_lifted() -> None:
    """`legalaid telegram` with the flood limit off (settings from the environment, as the CLI reads them)."""
    from bot.channels import telegram, telegram_run
    from bot.cli import setup_logging
    from common.config import load_settings

    settings = load_settings()
    setup_logging(settings)
    app = telegram.build_application(settings, flood_limit=None)
    asyncio.run(telegram_run.until_signal(app, telegram_run.polling))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.telegram_bots", description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["echo", "ours"])
    parser.add_argument("--api-root", help="the fake Bot API's root (echo bot; ours reads TELEGRAM_API_BASE_URL)")
    parser.add_argument("--lifted", action="store_true", help="Telegram's flood limit off")
    args = parser.parse_args(argv)
    if args.kind == "echo":
        # The log level `legalaid` sets (bot.cli.setup_logging), without importing it.
        logging.basicConfig(level=logging.INFO)
        serve_echo(args.api_root, args.lifted)
    elif args.lifted:
        serve_ours_lifted()
    else:
        parser.error("ours as shipped is `legalaid telegram`")


if __name__ == "__main__":
    main()
