"""Telegram end to end: the real python-telegram-bot Application against the fake Bot API.

    python -m bench.telegram_e2e [--json] [--users 100] [--messages 20] [--steady-seconds 15]

Each bot runs in its own process (`--serve`, started by this script) and long-polls a
FakeBotApi (tests/auxil/fake_bot_api.py) served on 127.0.0.1 by this process, so the fake's
work does not count against the bot and the bot's peak RSS is its own. Simulated users
(default 100) type menu labels, tap inline buttons, ask questions from tests/data/faq_devset.yaml
and answer the eligibility questionnaire; each waits for the bot's answer before the next
message (closed loop). Latency is from pushing the update into the fake to the bot's first
sendMessage for that chat arriving at the fake; "CPU ms" is the bot process's CPU per update
(/proc/PID/stat), steadier than updates/s when the two processes share a small machine.
Set BENCH_PROFILE=/tmp/prof to cProfile each bot process into /tmp/prof.KIND.

In one run:
  (a) a bare PTB echo bot, as in PTB's examples/echobot.py (PTB defaults: one update at a
      time, no rate limiter);
  (b) our bot, `build_application` with Telegram's flood limit lifted, so that (a) and (b)
      differ only by our code; the ratio compares these two;
  (c) our bot exactly as `legalaid telegram` runs it (`run_polling`, 30 msg/s flood limit):
      a steady 30 messages per second for --steady-seconds, then the closed loop again to
      show the ceiling that Telegram's flood limit sets.
Targets (reported, not asserted): (b) >= 0.8x (a); p99 <= 50 ms at a steady 30 msg/s; RSS <= 150 MB.

The per-person limit (LEGALAID_RATE_LIMIT_PER_MINUTE) is raised for the benchmark: simulated
users type far faster than a person, and a throttled turn does almost no work.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import json
import os
import random
import resource
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
DEVSET = REPO / "tests" / "data" / "faq_devset.yaml"
TOKEN = "123456:BENCH-TOKEN"
FIRST_USER = 100_001
TURN_TIMEOUT = 10.0  # seconds before a turn counts as stalled

# One person's session, repeated: menu, a suggested question, a typed question, the questionnaire.
SCRIPT: tuple[tuple[str, str], ...] = (
    ("text", "/start"),
    ("text", "问政策"),  # the persistent menu keyboard sends its label as text
    ("tap", ""),  # a suggested question
    ("faq", ""),  # a question typed from the development set
    ("text", "查资格"),
    ("tap", ""), ("tap", ""), ("tap", ""), ("tap", ""), ("tap", ""), ("tap", ""),
)
# Which inline button a simulated person taps when the message offers it.
PREFERRED_TAPS = ("重新开始", "我本人", "80岁及以上", "柯城区", "好了", "没办过", "看结果")
NOT_TAPPED = ("返回菜单", "上一步")

TARGET_RATIO = 0.8
TARGET_P99_MS = 50.0
TARGET_RSS_MB = 150.0


# ---------------------------------------------------------------------- the bot processes


def _process_figures() -> dict[str, float]:
    """Peak (VmHWM) and current (VmRSS) resident memory of this process in MB, and its CPU seconds."""
    figures: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            name, _, value = line.partition(":")
            if name in ("VmHWM", "VmRSS"):
                figures[name] = int(value.split()[0]) / 1024
    except OSError:
        pass
    usage = resource.getrusage(resource.RUSAGE_SELF)
    if "VmHWM" not in figures:  # not Linux: ru_maxrss is KB on Linux, bytes on macOS
        figures["VmHWM"] = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return {
        "peak_rss_mb": round(figures["VmHWM"], 1),
        "rss_mb": round(figures.get("VmRSS", 0.0), 1),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
    }


def _serve_echo(api_root: str) -> None:
    from telegram import Update
    from telegram.ext import ApplicationBuilder, CallbackQueryHandler, MessageHandler, filters

    # The environment fix our bot applies (bot.channels.telegram.skip_missing_sniffio_lookups),
    # repeated here rather than imported so that the echo process loads nothing of ours.
    if "sniffio" not in sys.modules and importlib.util.find_spec("sniffio") is None:
        sys.modules["sniffio"] = None  # type: ignore[assignment]

    async def echo(update: Update, context) -> None:
        await context.bot.send_message(update.effective_chat.id, update.effective_message.text)

    async def tapped(update: Update, context) -> None:
        await update.callback_query.answer()
        await context.bot.send_message(update.effective_chat.id, update.callback_query.data)

    app = (
        ApplicationBuilder()
        .token(TOKEN)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .build()
    )
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.add_handler(CallbackQueryHandler(tapped))
    app.run_polling(allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY])


def _serve_ours(api_root: str, data_dir: str, production: bool) -> None:
    from bot.channels import telegram, telegram_run
    from common.config import Settings

    settings = Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=api_root,
        LEGALAID_DATA_DIR=data_dir,
        LEGALAID_RATE_LIMIT_PER_MINUTE=1_000_000,
    )
    if production:
        telegram_run.run_polling(settings)  # exactly what `legalaid telegram` runs
        return
    app = telegram.build_application(settings, flood_limit=None)
    asyncio.run(telegram_run.until_signal(app, telegram_run.polling))


def serve(kind: str, api_root: str, data_dir: str) -> None:
    """The bot process: serve until SIGTERM, then print its memory as one JSON line."""
    import logging

    os.environ.setdefault("PTB_TIMEDELTA", "1")
    logging.basicConfig(level=logging.WARNING)
    profile_to = os.environ.get("BENCH_PROFILE")  # cProfile the bot process into this file
    profiler = None
    if profile_to:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    if kind == "echo":
        _serve_echo(api_root)
    else:
        _serve_ours(api_root, data_dir, production=kind == "ours")
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(f"{profile_to}.{kind}")
    print(json.dumps(_process_figures()), flush=True)


# ---------------------------------------------------------------------- the driver side


def _timed_fake():
    from tests.auxil.fake_bot_api import FakeBotApi

    class TimedFakeBotApi(FakeBotApi):
        """Notes when each bot message arrives and wakes whoever waits for that chat."""

        def __init__(self) -> None:
            super().__init__()
            self._chat_waiters: dict[Any, asyncio.Future[None]] = {}

        def _record_sent(self, method, params, content, token, document=None):
            message = super()._record_sent(method, params, content, token, document)
            sent = self._sent[message["chat"]["id"]][-1]
            sent.arrived = time.perf_counter()  # type: ignore[attr-defined]
            waiter = self._chat_waiters.pop(message["chat"]["id"], None)
            if waiter is not None and not waiter.done():
                waiter.set_result(None)
            return message

        async def wait_for_chat(self, chat_id: int, predicate: Callable[[], bool], timeout: float) -> bool:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + timeout
            while not predicate():
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return False
                waiter = self._chat_waiters.get(chat_id)
                if waiter is None or waiter.done():
                    waiter = self._chat_waiters[chat_id] = loop.create_future()
                try:
                    await asyncio.wait_for(asyncio.shield(waiter), remaining)
                except TimeoutError:
                    return predicate()
            return True

    return TimedFakeBotApi()


def devset_questions() -> list[str]:
    data = yaml.safe_load(DEVSET.read_text(encoding="utf-8"))
    return [item["q"] for item in data["in_scope"]] + [item["q"] for item in data["out_of_scope"]]


@dataclass
class Stats:
    latencies_ms: list[float] = field(default_factory=list)
    updates: int = 0
    stalls: int = 0
    seconds: float = 0.0
    late_pushes: int = 0
    messages_sent: int = 0  # sendMessage calls the bot made during the phase
    bot_cpu_s: float = 0.0  # CPU the bot process used during the phase
    api_calls: int = 0  # every Bot API request the bot made during the phase (getUpdates too)

    def summary(self) -> dict[str, Any]:
        lat = sorted(self.latencies_ms)

        def pct(p: float) -> float:
            return round(lat[min(len(lat) - 1, round(p * (len(lat) - 1)))], 2) if lat else float("nan")

        return {
            "updates": self.updates,
            "seconds": round(self.seconds, 2),
            "updates_per_s": round(self.updates / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "max_ms": round(lat[-1], 2) if lat else float("nan"),
            "messages_per_update": round(self.messages_sent / self.updates, 2) if self.updates else 0.0,
            "bot_cpu_ms_per_update": round(self.bot_cpu_s * 1000 / self.updates, 2) if self.updates else 0.0,
            "calls_per_update": round(self.api_calls / self.updates, 2) if self.updates else 0.0,
            "stalls": self.stalls,
            "late_pushes": self.late_pushes,
        }


class Person:
    """One simulated user: follows SCRIPT from their own starting point, one turn at a time."""

    def __init__(self, api, user_id: int, echo: bool, questions: list[str], start: int):
        self.api = api
        self.user_id = user_id
        self.echo = echo
        self.questions = questions
        self.step = start
        self.lock = asyncio.Lock()

    def _push(self) -> None:
        kind, text = SCRIPT[self.step % len(SCRIPT)]
        self.step += 1
        if kind == "faq":
            kind, text = "text", self.questions[(self.user_id * 7 + self.step) % len(self.questions)]
        if kind == "tap":
            if self._tap():
                return
            kind, text = "text", "/start"  # nothing to tap: start over
        self.api.push_text(self.user_id, text)

    def _tap(self) -> bool:
        sent = self.api.sent(self.user_id)
        if self.echo:  # echo messages carry no buttons; press one on the last message anyway
            if not sent:
                return False
            self.api.push_callback(self.user_id, "tap", message_id=sent[-1].message_id, check_button=False)
            return True
        for message in reversed(sent[-3:]):
            labels = [b["text"] for b in message.inline_buttons if "callback_data" in b]
            if labels:
                label = next((p for p in PREFERRED_TAPS if p in labels), None)
                label = label or next((lb for lb in labels if lb not in NOT_TAPPED), labels[0])
                self.api.push_button(self.user_id, label, message_id=message.message_id)
                return True
        return False

    def _turn_done(self, before: int) -> Callable[[], bool]:
        def done() -> bool:
            sent = self.api.sent(self.user_id)
            if len(sent) <= before:
                return False
            # Our turns end with a message that shows choices; an echo turn is one message.
            return self.echo or sent[-1].reply_markup is not None
        return done

    async def turn(self, stats: Stats) -> None:
        async with self.lock:
            before = len(self.api.sent(self.user_id))
            pushed = time.perf_counter()
            self._push()
            finished = await self.api.wait_for_chat(self.user_id, self._turn_done(before), TURN_TIMEOUT)
            sent = self.api.sent(self.user_id)
            stats.updates += 1
            stats.messages_sent += len(sent) - before
            if len(sent) > before:
                stats.latencies_ms.append((sent[before].arrived - pushed) * 1000)
            if not finished:
                stats.stalls += 1


async def closed_loop(people: list[Person], messages: int) -> Stats:
    """Every person sends `messages` messages, each as soon as the previous turn is answered."""
    stats = Stats()

    async def run(person: Person) -> None:
        for _ in range(messages):
            await person.turn(stats)

    start = time.perf_counter()
    await asyncio.gather(*(run(p) for p in people))
    stats.seconds = time.perf_counter() - start
    return stats


async def steady(people: list[Person], rate: float, seconds: float) -> Stats:
    """Open loop: one message every 1/rate s, round-robin over the people."""
    stats = Stats()
    loop = asyncio.get_running_loop()
    tasks = []
    start = loop.time()
    for k in range(int(rate * seconds)):
        delay = start + k / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        person = people[k % len(people)]
        if person.lock.locked():
            stats.late_pushes += 1  # still waiting for the previous answer: the bot is falling behind
        tasks.append(asyncio.create_task(person.turn(stats)))
    await asyncio.gather(*tasks)
    stats.seconds = loop.time() - start
    return stats


class BotProcess:
    """`python -m bench.telegram_e2e --serve KIND`, stopped with SIGTERM."""

    def __init__(self, kind: str, api_root: str, data_dir: str, log_path: Path):
        self.kind, self.api_root, self.data_dir, self.log_path = kind, api_root, data_dir, log_path
        self.proc: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> BotProcess:
        env = {**os.environ, "PYTHONPATH": str(REPO), "PTB_TIMEDELTA": "1"}
        self._log = open(self.log_path, "wb")
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.telegram_e2e", "--serve", self.kind,
            "--api-root", self.api_root, "--data-dir", self.data_dir,
            cwd=self.data_dir, env=env, stdout=asyncio.subprocess.PIPE, stderr=self._log,
        )
        return self

    def cpu_seconds(self) -> float:
        """User + system CPU of the bot process so far (Linux /proc; 0 elsewhere)."""
        assert self.proc is not None
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    async def stop(self) -> dict[str, float]:
        """SIGTERM, then the process's own figures (peak RSS, CPU seconds)."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(self.proc.communicate(), 20)
        lines = out.decode().strip().splitlines()
        return json.loads(lines[-1]) if lines else {}

    async def __aexit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.returncode is None:
            self.proc.kill()
            await self.proc.wait()
        self._log.close()


async def scenario(kind: str, phases: list[tuple[str, float]], users: int, workdir: Path,
                   steady_rate: float) -> dict[str, Any]:
    """One bot process against a fresh fake: warm up, run the phases, stop it.

    A phase is ("closed", messages per person) or ("steady", seconds).
    """
    questions = devset_questions()
    random.Random(7).shuffle(questions)
    offsets = random.Random(11)
    data_dir = workdir / kind
    data_dir.mkdir()
    result: dict[str, Any] = {"kind": kind}
    async with _timed_fake() as api:
        root = api.base_url.removesuffix("/bot")
        async with BotProcess(kind, root, str(data_dir), workdir / f"{kind}.log") as bot:
            echo = kind == "echo"
            # Each person starts at their own point of the script, so every phase mixes all steps.
            people = [Person(api, FIRST_USER + i, echo, questions, offsets.randrange(len(SCRIPT)))
                      for i in range(users)]
            # Warm-up, not measured: start-up, then one turn each; then idle, as before real traffic.
            await closed_loop(people[:1], 1)
            await closed_loop(people, 1)
            await asyncio.sleep(2)
            for phase, amount in phases:
                cpu_before, calls_before = bot.cpu_seconds(), sum(api.request_counts.values())
                if phase == "closed":
                    stats = await closed_loop(people, int(amount))
                else:
                    stats = await steady(people, steady_rate, amount)
                stats.bot_cpu_s = bot.cpu_seconds() - cpu_before
                stats.api_calls = sum(api.request_counts.values()) - calls_before
                result["closed_loop" if phase == "closed" else "steady"] = stats.summary()
            result["process"] = await bot.stop()
    if any(isinstance(r, dict) and r.get("stalls") for r in result.values()):
        result["log_tail"] = (workdir / f"{kind}.log").read_text(errors="replace")[-2000:]
    return result


async def run(users: int, messages: int, steady_rate: float, steady_seconds: float) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-telegram-") as tmp:
        workdir = Path(tmp)
        echo = await scenario("echo", [("closed", messages)], users, workdir, steady_rate)
        unlimited = await scenario(
            "ours-unlimited", [("closed", messages), ("steady", steady_seconds)], users, workdir, steady_rate
        )
        # Production: the closed loop is shorter, since the flood limit caps it near 30 messages/s.
        production = await scenario(
            "ours", [("steady", steady_seconds), ("closed", max(1, messages // 5))], users, workdir, steady_rate
        )
    ratio = unlimited["closed_loop"]["updates_per_s"] / echo["closed_loop"]["updates_per_s"]
    # CPU per update is steadier than throughput on a small, shared machine.
    cpu_ratio = echo["closed_loop"]["bot_cpu_ms_per_update"] / max(
        unlimited["closed_loop"]["bot_cpu_ms_per_update"], 1e-9
    )
    peak = max(unlimited["process"].get("peak_rss_mb", 0), production["process"].get("peak_rss_mb", 0))
    return {
        "users": users,
        "messages_per_user": messages,
        "echo": echo,
        "ours_flood_limit_off": unlimited,
        "ours_production": production,
        "ratio": round(ratio, 3),
        "cpu_ratio": round(cpu_ratio, 3),
        "our_peak_rss_mb": peak,
        "targets": {
            "ratio_at_least": TARGET_RATIO,
            "ratio_met": ratio >= TARGET_RATIO,
            "steady_rate": steady_rate,
            "steady_p99_ms_at_most": TARGET_P99_MS,
            "steady_p99_met_production": production["steady"]["p99_ms"] <= TARGET_P99_MS,
            "steady_p99_met_flood_limit_off": unlimited["steady"]["p99_ms"] <= TARGET_P99_MS,
            "rss_mb_at_most": TARGET_RSS_MB,
            "rss_met": peak <= TARGET_RSS_MB,
        },
    }


def report(r: dict[str, Any]) -> str:
    mark = {True: "met", False: "NOT met"}
    t = r["targets"]

    def row(name: str, s: dict[str, Any], proc: dict[str, Any]) -> str:
        return (f"  {name:<36}{s['updates_per_s']:>8.1f}{s['p50_ms']:>9.1f}{s['p99_ms']:>9.1f}"
                f"{s['messages_per_update']:>8.2f}{s['bot_cpu_ms_per_update']:>9.2f}"
                f"{proc.get('peak_rss_mb', float('nan')):>9.1f}   {s['updates']} updates"
                + (f", {s['stalls']} STALLED" if s["stalls"] else ""))

    e, u, p = r["echo"], r["ours_flood_limit_off"], r["ours_production"]
    lines = [
        f"Telegram end to end: each bot in its own process, long-polling a fake Bot API on 127.0.0.1; "
        f"{r['users']} simulated users",
        f"closed loop ({r['messages_per_user']} messages each, each sent when the last is answered):",
        f"  {'':<36}{'upd/s':>8}{'p50 ms':>9}{'p99 ms':>9}{'msg/upd':>8}{'CPU ms':>9}{'RSS MB':>9}",
        row("(a) echo bot, bare PTB", e["closed_loop"], e["process"]),
        row("(b) ours, flood limit off", u["closed_loop"], u["process"]),
        row("(c) ours, production (30 msg/s cap)", p["closed_loop"], p["process"]),
        f"  (b) made {u['closed_loop']['calls_per_update']:.2f} Bot API calls per update (getUpdates included)",
        f"  ratio (b)/(a): {r['ratio']:.2f} in updates/s (target >= {t['ratio_at_least']}: "
        f"{mark[t['ratio_met']]}); {r['cpu_ratio']:.2f} in bot CPU per update",
        f"steady {t['steady_rate']:.0f} messages/s for {p['steady']['seconds']:.0f} s:",
        row("(b) ours, flood limit off", u["steady"], {}),
        row("(c) ours, production (30 msg/s cap)", p["steady"], {}),
        f"  p99 target <= {t['steady_p99_ms_at_most']:.0f} ms: production {mark[t['steady_p99_met_production']]}, "
        f"flood limit off {mark[t['steady_p99_met_flood_limit_off']]}"
        f"   (late pushes: {p['steady']['late_pushes']} / {u['steady']['late_pushes']})",
        f"peak RSS of our bot process: {r['our_peak_rss_mb']:.1f} MB "
        f"(target <= {t['rss_mb_at_most']:.0f} MB: {mark[t['rss_met']]})",
    ]
    for name in ("echo", "ours_flood_limit_off", "ours_production"):
        if "log_tail" in r[name]:
            lines.append(f"  {name} stalled; its log ends:\n{r[name]['log_tail']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.telegram_e2e", description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--messages", type=int, default=20, help="messages per user in the closed loop")
    parser.add_argument("--steady-rate", type=float, default=30.0, help="messages per second")
    parser.add_argument("--steady-seconds", type=float, default=15.0)
    parser.add_argument("--serve", choices=["echo", "ours", "ours-unlimited"], help=argparse.SUPPRESS)
    parser.add_argument("--api-root", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.api_root, args.data_dir)
        return
    result = asyncio.run(run(args.users, args.messages, args.steady_rate, args.steady_seconds))
    print(json.dumps(result, ensure_ascii=False) if args.json else report(result))


if __name__ == "__main__":
    main()
