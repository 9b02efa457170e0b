"""The console chat: the same dialogue in a terminal, or fed from a pipe.

    legalaid chat                      # interactive
    printf '/start\\n1\\n' | legalaid chat  # replies printed, exits at end of input
Options are numbered; answer with the number or by typing.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TextIO

from bot.runtime import Runtime
from bot.scheduler import tick
from common.messages import Reply
from handlers.events import ChannelInfo, Incoming, Kind, Outcome

USER_ID = "console"


# A terminal has no buttons: options are numbered and a digit picks one.
CONSOLE = ChannelInfo("console", numbered=True)


def render(reply: Reply) -> str:
    lines = [reply.text]
    for number, option in enumerate(reply.options, start=1):
        lines.append(f"  {number}. {option.label}")
    if reply.document is not None:
        lines.append(f"  [文件 {reply.document.filename}, {len(reply.document.content)} 字节]")
    return "\n".join(lines)


def render_outcome(outcome: Outcome) -> str:
    return "\n\n".join(render(r) for r in outcome.replies)


async def run_console(runtime: Runtime, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    async def deliver(user_id: str, reply: Reply) -> None:
        # The console has one person; queued messages (answers, reminders) appear in the stream.
        stdout.write(render(reply) + "\n\n")

    runtime.attach(CONSOLE, deliver)

    async def send(text: str) -> None:
        ev = Incoming(channel=CONSOLE.name, user_id=USER_ID, at=runtime.now(), kind=Kind.TEXT, text=text)
        outcome = await runtime.dialogue.handle(ev)
        stdout.write(render_outcome(outcome) + "\n\n")
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
