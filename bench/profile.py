"""Where our Telegram bot's (or WeChat endpoint's) CPU goes: a py-spy sampling profile under load.

    python -m bench.profile [--users 100] [--turns 10] [--keep FILE] [--wechat]

--wechat: `legalaid wechat` instead, in bench/wechat_e2e.py's first phase (people × 5 messages,
each after the last answer), with groups for what a request passes through (signature, XML,
aiohttp's server).

Runs ours with limits lifted (as in bench/telegram_e2e.py) and samples the bot process with
py-spy (`pip install -e '.[bench]'`) during the recorded rounds, without pausing it
(--nonblocking). Shares are of the process's active samples (threads waiting idle are not
sampled): the aiosqlite connection thread, the event loop's cross-thread wake-ups
(_write_to_self / _read_from_self: each query's hop back from that thread), and each layer of
ours and of the libraries under it (a sample counts for every layer on its stack).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import sys
import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from bench import telegram_e2e

RATE = 250  # samples per second
# (name, what a frame's text must contain); a sample counts once per name whose text is on its stack.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("aiosqlite thread", ("(_connection_worker_thread)",)),
    ("event-loop wake-ups (_write_to_self/_read_from_self)", ("_write_to_self (", "_read_from_self (")),
    ("waiting in epoll (the loop with nothing ready)", ("EpollSelector.select (",)),
    ("our turn: Runtime.handle and all below it", ("(bot/runtime.py",)),
    ("dialogue: handlers/", ("(handlers/",)),
    ("services/", ("(services/",)),
    ("storage/ (our side of the queries)", ("(storage/",)),
    ("FAQ matcher: faq/", ("(faq/",)),
    ("pydantic", ("(pydantic/", "(pydantic_core/")),
    ("python-telegram-bot", ("(telegram/",)),
    ("aiohttp client (the transport)", ("(aiohttp/client", "(aiohttp/connector")),
)
WECHAT_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    *GROUPS[:3],
    ("the endpoint: WeChatEndpoint.handle_post and all below it", ("handle_post (bot/channels/wechat_endpoint.py",)),
    ("the turn: Runtime.handle and all below it", ("(bot/runtime.py",)),
    ("signature and body binding", ("_authentic (", "_signature_fits_body (")),
    ("XML in and out", ("parse_xml (", "text_reply_xml (", "_open (bot/channels")),
    *GROUPS[4:9],
    ("aiohttp (server and the customer-service client)", ("(aiohttp/",)),
    ("the courier (bot/courier.py)", ("(bot/courier.py",)),
)


def py_spy() -> str | None:
    return shutil.which("py-spy") or shutil.which("py-spy", path=str(Path(sys.executable).parent))


def sampler(out: Path):
    """A context manager factory for telegram_e2e.scenario: py-spy records `pid` while it is entered."""

    @asynccontextmanager
    async def record(pid: int) -> AsyncIterator[None]:
        proc = await asyncio.create_subprocess_exec(
            py_spy(), "record", "--pid", str(pid), "--rate", str(RATE), "--format", "raw", "--threads",
            "--nonblocking", "--output", str(out), stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )
        await asyncio.sleep(0.5)  # attached before the load starts
        try:
            yield
        finally:
            proc.send_signal(signal.SIGINT)  # py-spy writes its file and exits
            _, err = await proc.communicate()
            if proc.returncode not in (0, -signal.SIGINT) and not out.exists():
                raise RuntimeError(f"py-spy failed: {err.decode(errors='replace')[-500:]}")

    return record


def shares(raw: str, groups=GROUPS) -> tuple[int, dict[str, float]]:
    """(samples, {group: share}) from py-spy's raw (collapsed) output."""
    total = 0
    counts: Counter[str] = Counter()
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if not stack or not n.isdigit():
            continue
        total += int(n)
        for name, needles in groups:
            if any(needle in stack for needle in needles):
                counts[name] += int(n)
    return total, {name: counts[name] / total if total else float("nan") for name, _ in groups}


async def profile(users: int, turns: int, keep: Path | None) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        out = keep or Path(tmp) / "ours.raw"
        figures = await telegram_e2e.scenario("ours", "lifted", users, turns, Path(tmp) / "run",
                                             sampler=sampler(out))
        total, by_group = shares(out.read_text())
    return {"users": users, "turns": turns, "samples": total, "shares": by_group,
            "bot_cpu_ms_per_update": figures["bot_cpu_ms_per_update"], "updates": figures["updates"]}


async def profile_wechat(people: int, keep: Path | None) -> dict[str, Any]:
    from bench import wechat_e2e

    with tempfile.TemporaryDirectory(prefix="bench-profile-") as tmp:
        out = keep or Path(tmp) / "ours.raw"
        figures = await wechat_e2e.one_run("ours", Path(tmp) / "run", people, len(wechat_e2e.SEQUENCE), 0,
                                           sampler=sampler(out))
        total, by_group = shares(out.read_text(), WECHAT_GROUPS)
    phase = figures["sequential"]
    return {"samples": total, "shares": by_group, "requests": phase["requests"], "people": people,
            "cpu_ms_per_request": phase["cpu_ms_per_request"], "requests_per_s": phase["requests_per_s"]}


def report_wechat(p: dict[str, Any]) -> str:
    lines = [f"Profile of `legalaid wechat`, {p['people']} people × 5 messages (py-spy, {RATE} Hz, {p['samples']} active"
             f" samples; {p['cpu_ms_per_request']:.2f} ms server CPU per request, {p['requests_per_s']} requests/s):"]
    lines += [f"  {share:6.1%}  {name}" for name, share in p["shares"].items()]
    return "\n".join(lines)


def report(p: dict[str, Any] | None) -> str:
    if p is None:
        return "Profile: py-spy is not installed (pip install -e '.[bench]'); no shares measured"
    lines = [f"Profile of ours, limits lifted, {p['users']} users × {p['turns']} turns (py-spy, {RATE} Hz, "
             f"{p['samples']} active samples; bot CPU {p['bot_cpu_ms_per_update']:.2f} ms per update in this run):"]
    lines += [f"  {share:6.1%}  {name}" for name, share in p["shares"].items()]
    return "\n".join(lines)


def run(users: int = 100, turns: int = 10, keep: Path | None = None) -> dict[str, Any] | None:
    """The profile's figures, or None when py-spy is not installed."""
    return asyncio.run(profile(users, turns, keep)) if py_spy() else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--turns", type=int, default=10, help="recorded turns per user")
    parser.add_argument("--keep", type=Path, help="write py-spy's raw output here (for a flame graph)")
    parser.add_argument("--wechat", action="store_true", help="profile `legalaid wechat` (--users people × 5 messages)")
    args = parser.parse_args(argv)
    if args.wechat:
        print(report_wechat(asyncio.run(profile_wechat(args.users, args.keep))) if py_spy() else report(None))
        return 0
    print(report(run(args.users, args.turns, args.keep)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
