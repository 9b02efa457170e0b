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
from handlers.events import Incoming, Kind, Outcome, Reply

USER_ID = "console"


def render(reply: Reply) -> str:
    lines = [reply.text]
    for number, option in enumerate(reply.options, start=1):
        lines.append(f"  {number}. {option.label}")
    if reply.document is not None:
        lines.append(f"  [文件 {reply.document.filename}, {len(reply.document.content)} 字节]")
    return "\n".join(lines)


def render_outcome(outcome: Outcome) -> str:
    blocks = [render(r) for r in outcome.replies]
    blocks += [f"[→ {n.channel}:{n.user_id}]\n{render(n.reply)}" for n in outcome.notices]
    return "\n\n".join(blocks)


async def run_console(runtime: Runtime, stdin: TextIO = sys.stdin, stdout: TextIO = sys.stdout) -> None:
    async def send(text: str) -> None:
        ev = Incoming(channel="console", user_id=USER_ID, at=runtime.now(), kind=Kind.TEXT, text=text)
        outcome = await runtime.dialogue.handle(ev)
        stdout.write(render_outcome(outcome) + "\n\n")
        stdout.flush()

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
