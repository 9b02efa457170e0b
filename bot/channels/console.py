"""The console chat: the same dialogue in a terminal, or fed from a pipe.

    legalaid chat                      # interactive
    printf '/start\\n1\\n' | legalaid chat  # replies printed, exits at end of input
Options are numbered; answer with the number or by typing.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.channels.numbered import render_reply, render_turn
from bot.runtime import Runtime
from bot.scheduler import tick
from common.messages import Reply
from handlers.events import ChannelInfo, Incoming, Kind

USER_ID = "console"


# A terminal has no buttons and cannot hand over a file; queued messages appear in the stream.
CONSOLE = ChannelInfo("console", numbered=True, push=True, files=False, public=False)


def option_line(number: int, label: str) -> str:
    return f"  {number}. {label}"


async def run_console(runtime: Runtime, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    async def deliver(user_id: str, reply: Reply) -> None:
        # The console has one person; queued messages (answers, reminders) appear in the stream.
        stdout.write(render_reply(reply, option_line) + "\n\n")

    runtime.attach(CONSOLE, deliver)

    async def send(text: str) -> None:
        ev = Incoming(channel=CONSOLE.name, user_id=USER_ID, at=runtime.now(), kind=Kind.TEXT, text=text)
        outcome = await runtime.handle(ev)
        stdout.write(render_turn(outcome.replies, option_line) + "\n\n")
        await tick(runtime)  # reminders due, then anything queued for the console
        stdout.flush()

    await tick(runtime)

    interactive = stdin.isatty()
    if interactive:
        await send("/start")
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await asyncio.to_thread(stdin.readline)
        if not line:  # end of input
            break
        line = line.rstrip("\n")
        if interactive and line.strip() in {"/quit", "/exit", "退出聊天"}:
            break
        await send(line)
