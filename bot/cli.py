"""The `legalaid` command line.

    legalaid run               console chat without TELEGRAM_BOT_TOKEN, Telegram with it
    legalaid chat              console chat (reads a pipe too)
    legalaid telegram [--webhook URL --listen HOST --port N]
                               Telegram bot, long polling (or a webhook with LEGALAID_WEBHOOK_SECRET)
    legalaid wechat [--listen HOST --port N] | menu
                               WeChat Official Account endpoint at /wechat; create its custom menu
    legalaid ask "问题"         answer one question [--audience public|lawyer] [--json]
    legalaid check --age N     what the opinion gives one person (see --help) [--json]
    legalaid counties list|set which counties apply the 有条件 measures of 3号 二 (staff record them)
    legalaid faq check         validate the knowledge base
    legalaid faq misses        questions we could not answer, most frequent first [--since DATE]
    legalaid bench booking --users 200 --seats 10 [--db PATH] [--json]
                               200 people race for 10 seats through the real booking code
    legalaid health            exit 0 when configuration, catalog, knowledge base and database are sound
    legalaid lawyers add|list  register lawyers (prints a one-time /register code)
    legalaid duty list|add|remove
                               the duty roster of non-working days [--weeks N] | DATE LAWYER_ID
    legalaid points add|reverse|report|statement
                               the points ledger (衢市司发〔2020〕4号)
    legalaid bookings export   home visits in a date range, CSV or xlsx
    legalaid calendar list|close|reopen|places
                               home-visit places and days closed (日历与名额)
    legalaid web [--listen HOST --port N]
                               the web console for staff and lawyers (also in `run` with LEGALAID_WEB_PORT)
    legalaid users add|list|disable|reset-password
                               accounts of the web console (passwords read from standard input)
    legalaid db migrate        apply database migrations
    legalaid db backup PATH    online backup of the database (pg_dump on PostgreSQL)
    legalaid db copy --to URL  copy every row into a new database [--from URL], counts and checksums compared
    legalaid db purge          apply the retention periods now (the bot also does, hourly)
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import logging
import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.usage import UsageError

if TYPE_CHECKING:
    from common.config import Settings

# Commands whose arguments the module that runs them adds (`add` is its function). Only the module
# of the command given is imported (`legalaid ask` must not load aiohttp, Telegram or the web
# console); the others get a parser with just this help line, for `legalaid --help`.
# tests/bot/test_cli_imports.py checks these lines are the modules' own.
ELSEWHERE: dict[str, tuple[str, str, str]] = {
    "check": ("bot.eligibility_cli", "add_parsers", "what the elderly legal-aid opinion gives one person"),
    "counties": ("bot.eligibility_cli", "add_parsers", "which counties apply the 有条件 measures of 3号 二"),
    "lawyers": ("bot.staff_cli", "add_parsers", "register and list lawyers"),
    "duty": ("bot.duty_cli", "add_parsers", "the duty roster of non-working days (值班表)"),
    "points": ("bot.staff_cli", "add_parsers", "the points ledger (衢市司发〔2020〕4号)"),
    "bookings": ("bot.staff_cli", "add_parsers", "home-visit bookings"),
    "calendar": ("bot.calendar_cli", "add_parsers", "home-visit places per county and half-day, and days closed (日历与名额)"),
    "web": ("bot.web_cli", "add_parsers", "the web console for staff and lawyers (管理后台)"),
    "users": ("bot.web_cli", "add_parsers", "accounts of the web console"),
    "wechat": ("bot.channels.wechat", "add_parser", "WeChat Official Account endpoint (WECHAT_* settings)"),
    "db": ("bot.db_cli", "add_parser", "database tools"),
}


class StartupError(Exception):
    """The process cannot start for a reason outside it (a refused token, an unusable folder)."""


class OneLineParser(argparse.ArgumentParser):
    """Bad arguments are said in one line (exit 2), not argparse's usage block."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: {message}\n")


def setup_logging(settings: Settings) -> None:
    from common.privacy import RedactingFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
    # httpx logs every request URL, which contains the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # At DEBUG, python-telegram-bot logs the Bot API URL (with the token) and raw updates (names,
    # addresses, what people wrote): never below INFO, whatever LEGALAID_LOG_LEVEL says.
    # aiosqlite logs every statement with its parameters (names, phone numbers) at DEBUG.
    for name in ("telegram", "httpcore", "aiohttp.access", "aiosqlite"):
        logging.getLogger(name).setLevel(max(logging.INFO, logging.getLevelName(settings.log_level)))


def _parser(command: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; of the commands in ELSEWHERE, only `command`'s module is imported."""
    parser = OneLineParser(prog="legalaid", description="衢州老年人法律援助助手")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("run", help="console chat without TELEGRAM_BOT_TOKEN, Telegram with it")
    sub.add_parser("chat", help="console chat in this terminal (reads a pipe too)")
    telegram = sub.add_parser("telegram", help="run the Telegram bot (long polling, or a webhook)")
    telegram.add_argument("--webhook", metavar="URL", help="https URL Telegram posts updates to (webhook mode)")
    telegram.add_argument("--listen", default="127.0.0.1", help="address to serve the webhook on")
    telegram.add_argument("--port", type=int, default=8443, help="port to serve the webhook on")

    ask = sub.add_parser("ask", help="answer one question without starting a channel")
    ask.add_argument("question")
    ask.add_argument("--audience", choices=["public", "lawyer"], default="public")
    ask.add_argument("--json", action="store_true", help="print one JSON object")
    ask.add_argument("--files-only", action="store_true", help="the faq/data files alone, without staff edits")

    _elsewhere(sub, command, "check", "counties")

    faq = sub.add_parser("faq", help="knowledge-base tools")
    faq_sub = faq.add_subparsers(dest="faq_command", required=True)
    faq_sub.add_parser("check", help="validate the knowledge base (with staff edits when a database is configured)")
    export = faq_sub.add_parser("export", help="write the knowledge base in use, staff edits included, as YAML files")
    export.add_argument("dir", type=Path, help="folder to write into, e.g. faq/data to commit the edits")
    misses = faq_sub.add_parser("misses", help="questions that were not answered with confidence")
    misses.add_argument("--since", type=date.fromisoformat, help="YYYY-MM-DD")
    misses.add_argument("--limit", type=int, default=50)

    _elsewhere(sub, command, "lawyers", "points", "bookings", "duty", "calendar", "web", "users", "wechat")
    bench = sub.add_parser("bench", help="benchmarks (from a source checkout)")
    bench.add_argument("name", choices=["booking", "matcher"])
    bench.add_argument("rest", nargs=argparse.REMAINDER, help="options of that benchmark, e.g. --users 200 --seats 10")
    health = sub.add_parser("health", help="check configuration, catalog, knowledge base and database (exit 0 = healthy)")
    health.add_argument("--files-only", action="store_true", help="check the faq/data files without staff edits")

    _elsewhere(sub, command, "db")
    return parser


def _elsewhere(sub: argparse._SubParsersAction, command: str | None, *names: str) -> None:
    """The parsers of `names`: the real ones from `command`'s module (all of its commands), a help
    line for the rest."""
    chosen = ELSEWHERE[command][0] if command in ELSEWHERE else None
    for name in names:
        if name in sub.choices:
            continue  # added with another command of its module
        module, add, help_line = ELSEWHERE[name]
        if module == chosen:
            getattr(importlib.import_module(module), add)(sub)
        else:
            sub.add_parser(name, help=help_line)


def _command(argv: list[str]) -> str | None:
    """The command named on the command line (the first word that is not an option), if any."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    args = _parser(_command(argv)).parse_args(argv)
    from common.config import ConfigError, load_settings

    try:
        settings = load_settings()
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    setup_logging(settings)
    try:
        return _dispatch(args, settings)
    except UsageError as exc:
        print(f"legalaid: {exc}", file=sys.stderr)
        return 2
    except StartupError as exc:
        print(f"legalaid: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        line = _failure(exc, settings)
        if line is None:
            raise
        print(f"legalaid: {line}", file=sys.stderr)
        return 1


def _failure(exc: Exception, settings: Settings) -> str | None:
    """The one line for a failure outside the process's control, or None for a bug (a traceback)."""
    from bot import db_cli
    from faq.kb import KnowledgeBaseError

    if isinstance(exc, KnowledgeBaseError):
        folder = settings.faq_dir or "the packaged knowledge base"
        return f"knowledge base {folder}: {' '.join(str(exc).split())}"
    if isinstance(exc, db_cli.failures()):
        # A corrupt or newer database: one line and a non-zero exit, so a supervisor sees it at once.
        return f"database {db_cli.where(settings.database)}: {exc}"
    if isinstance(exc, OSError):  # a folder not writable, a port in use, a link where a file should go
        return str(exc)
    return None


def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    command = args.command
    if command == "run":
        command = "telegram" if settings.telegram_bot_token else "chat"
        if settings.web_port:
            from bot import web_cli

            web_cli.serve_in_background(settings)
    if command in ("web", "users"):
        from bot import web_cli

        return web_cli.serve(args, settings) if command == "web" else asyncio.run(web_cli.users(args, settings))
    if command == "chat":
        return asyncio.run(_chat(settings))
    if command == "telegram":
        if settings.telegram_bot_token is None:
            raise UsageError("TELEGRAM_BOT_TOKEN is not set (use `legalaid chat` for the console)")
        return _telegram(args, settings)
    if command == "wechat":
        from bot.channels import wechat

        return wechat.run(args, settings)
    if command == "ask":
        return _ask(args, settings)
    if command in ("check", "counties"):
        from bot import eligibility_cli

        if command == "check":
            return eligibility_cli.check(args, settings)
        return asyncio.run(eligibility_cli.counties(args, settings))
    if command == "faq":
        return _faq(args, settings)
    if command == "db":
        from bot import db_cli

        if args.db_command == "purge":
            return asyncio.run(_purge(settings))
        return asyncio.run(db_cli.run(args, settings))
    if command == "health":
        return _health(settings, args.files_only)
    if command == "bench":
        if args.name == "booking":
            from bench import booking_race

            return booking_race.main(args.rest)
        from bench import matcher

        return matcher.main(args.rest) or 0
    if command == "calendar":
        from bot import calendar_cli

        return asyncio.run(calendar_cli.run(args, settings))
    if command == "duty":
        from bot import duty_cli

        return asyncio.run(duty_cli.run(args, settings))
    if command in ("lawyers", "points", "bookings"):
        from bot import staff_cli

        return asyncio.run(staff_cli.run(args, settings))
    raise UsageError(f"unknown command {command}")


def _telegram(args: argparse.Namespace, settings: Settings) -> int:
    from telegram.error import InvalidToken

    try:
        if getattr(args, "webhook", None):
            from bot.channels.telegram_webhook import WebhookConfigError, run_webhook

            try:
                run_webhook(settings, args.webhook, args.listen, args.port)
            except WebhookConfigError as exc:
                raise UsageError(str(exc)) from None
            return 0
        from bot.channels.telegram_run import run_polling

        run_polling(settings)
    except InvalidToken:
        # PTB's own message repeats the token: say it without.
        raise StartupError("Telegram rejected TELEGRAM_BOT_TOKEN (401 Unauthorized): take the token"
                           " from @BotFather again") from None
    return 0


async def _chat(settings: Settings) -> int:
    from bot.channels.console import run_console
    from bot.runtime import Runtime

    runtime = await Runtime.open(settings)
    try:
        await run_console(runtime)
    finally:
        await runtime.close()
    return 0


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.ask import answer_one

    result = answer_one(args.question, settings, args.audience, args.files_only)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(result["text"])
        for number, suggestion in enumerate(result["suggestions"], start=1):
            print(f"  {number}. {suggestion}")
    return 0


def _faq(args: argparse.Namespace, settings: Settings) -> int:
    from bot import staff_cli
    from faq.kb import KnowledgeBaseError

    if args.faq_command == "check":
        try:
            return asyncio.run(staff_cli.faq_check(args, settings))
        except KnowledgeBaseError as exc:
            print(f"knowledge base: {exc}", file=sys.stderr)
            return 1
    if args.faq_command == "export":
        return asyncio.run(staff_cli.faq_export(args, settings))
    return asyncio.run(staff_cli.faq_misses(args, settings))


def _health(settings: Settings, files_only: bool = False) -> int:
    """For container health checks: read-only, quick, one line either way. The knowledge base is
    checked as the bot would load it, staff edits included."""
    from bot import db_cli
    from bot.ask import knowledge_in_use
    from common.catalog import load_catalog

    try:
        load_catalog()
        verdict = asyncio.run(db_cli.check(settings))
        if verdict == "ok":
            knowledge_in_use(settings, files_only)
    except Exception as exc:  # noqa: BLE001 - any failure is "unhealthy", said in one line
        print(f"unhealthy: {exc}", file=sys.stderr)
        return 1
    if verdict != "ok":
        print(f"unhealthy: database {verdict}", file=sys.stderr)
        return 1
    print("healthy")
    return 0


async def _purge(settings: Settings) -> int:
    from bot import staff_cli
    from services import retention
    from services.actor import SYSTEM

    async with staff_cli.open_services(settings) as services:
        purged = await retention.purge(services, SYSTEM, services.clock())
    print(f"purged: {purged.visits} visits, {purged.questions} questions, {purged.states} conversations,"
          f" {purged.misses} unanswered-question texts, {purged.messages} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
