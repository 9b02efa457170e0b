"""Replies as plain text for channels without buttons (console, WeChat): options become numbered lines.

Only the last reply of a turn that has options is numbered: those are the options the core
remembers, so a digit typed next picks one of them.
"""

from __future__ import annotations

from collections.abc import Callable

from common.messages import Reply

# How one option line reads on a channel, from its number and label.
OptionLine = Callable[[int, str], str]


def render_reply(reply: Reply, option_line: OptionLine, numbered: bool = True) -> str:
    lines = [reply.text]
    if numbered:
        lines += [option_line(number, option.label) for number, option in enumerate(reply.options, 1)]
    return "\n".join(lines)


def render_turn(replies: list[Reply], option_line: OptionLine) -> str:
    numbered_at = max((i for i, r in enumerate(replies) if r.options), default=-1)
    return "\n\n".join(render_reply(r, option_line, numbered=i == numbered_at) for i, r in enumerate(replies))
