"""`legalaid web` and `legalaid users`: serve the web console, and manage its accounts.

    legalaid web [--listen 127.0.0.1] [--port 8080]
    legalaid users add --name NAME --role staff|lawyer [--lawyer ID] --password-stdin
    legalaid users list | disable NAME | reset-password NAME | lift NAME|--all   (reset-password reads stdin)

`legalaid run` also serves the console, in a thread of the same process, when LEGALAID_WEB_PORT is set.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import threading

from bot.staff_cli import OneLineParser, open_services
from bot.usage import UsageError
from common.config import Settings
from services.actor import Actor
from storage.users import WebRole

# The console itself (aiohttp's server, Jinja2, argon2) is imported when a command needs it, so
# every other `legalaid` command starts as fast as before.

log = logging.getLogger(__name__)


def add_parsers(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("web", help="the web console for staff and lawyers (管理后台)")
    serve.add_argument("--listen", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (default 8080)")

    users = sub.add_parser("users", help="accounts of the web console").add_subparsers(
        dest="sub", required=True, parser_class=OneLineParser)
    add = users.add_parser("add", help="create an account; the password is read from standard input")
    add.add_argument("--name", required=True)
    add.add_argument("--role", choices=[r.value for r in WebRole], required=True)
    add.add_argument("--lawyer", type=int, help="the lawyer's id (legalaid lawyers list); lawyer accounts only")
    add.add_argument("--password-stdin", action="store_true", required=True,
                     help="read the password from standard input (never from the command line)")
    users.add_parser("list", help="accounts and their roles")
    disable = users.add_parser("disable", help="disable an account and end its sessions")
    disable.add_argument("name")
    reset = users.add_parser("reset-password", help="set a new password, read from standard input")
    reset.add_argument("name")
    lift = users.add_parser("lift", help="lift a sign-in lock-out (of an account and the addresses it failed from)")
    lift.add_argument("name", nargs="?")
    lift.add_argument("--all", action="store_true", help="every lock-out, when nobody can sign in")


def _password() -> str:
    from services import accounts

    password = sys.stdin.readline().rstrip("\n")
    if len(password) < accounts.MIN_PASSWORD:
        raise UsageError(f"the password must have at least {accounts.MIN_PASSWORD} characters")
    return password


async def users(args: argparse.Namespace, settings: Settings) -> int:
    from services import accounts

    actor = Actor.staff("cli")
    async with open_services(settings) as services:
        now = services.clock()
        if args.sub == "add":
            role = WebRole(args.role)
            try:
                user = await accounts.add_user(services, actor, args.name, role, args.lawyer, _password(), now)
            except accounts.UserExists:
                raise UsageError(f"an account named {args.name!r} exists") from None
            except ValueError as exc:
                raise UsageError(str(exc)) from None
            print(f"account {user.name}: {user.role}")
        elif args.sub == "list":
            locked = await accounts.locked(services, actor, now)
            for user in await accounts.list_users(services, actor):
                state = "active" if user.active else "disabled"
                print(f"{user.name}\t{user.role}\t{state}{'  locked' if user.name in locked else ''}")
        elif args.sub == "disable":
            if not await accounts.set_active(services, actor, args.name, False):
                raise UsageError(f"no account named {args.name!r}")
            print(f"disabled: {args.name}")
        elif args.sub == "lift":
            if bool(args.name) == args.all:
                raise UsageError("give an account name or --all")
            lifted = await accounts.lift(services, actor, None if args.all else args.name, now)
            print(f"lifted: {lifted} failed sign-ins")
        elif not await accounts.reset_password(services, actor, args.name, _password()):
            raise UsageError(f"no account named {args.name!r}")
        else:
            print(f"password set: {args.name}")
    return 0


async def serving(settings: Settings):
    """The console's application over its own connection to the bot's database."""

    from bot.web.app import create_app
    from services.context import Services
    from storage.db import database_for

    db = database_for(settings.database)
    await db.open()
    app = create_app(Services.over(db, settings))

    async def close_db(_):
        yield
        await db.close()

    app.cleanup_ctx.insert(0, close_db)
    return app


def serve(args: argparse.Namespace, settings: Settings) -> int:
    from aiohttp import web

    web.run_app(serving(settings), host=args.listen, port=args.port, access_log=None,
                print=lambda line: log.info("%s", line.strip()))
    return 0


def serve_in_background(settings: Settings) -> threading.Thread:
    """`legalaid run` with LEGALAID_WEB_PORT: the console in a thread with its own event loop."""

    from aiohttp import web

    async def run() -> None:
        runner = web.AppRunner(await serving(settings), access_log=None)
        await runner.setup()
        await web.TCPSite(runner, settings.web_listen, settings.web_port).start()
        log.info("web console on http://%s:%d", settings.web_listen, settings.web_port)
        await asyncio.Future()  # until the process ends

    thread = threading.Thread(target=asyncio.run, args=(run(),), name="web-console", daemon=True)
    thread.start()
    return thread
