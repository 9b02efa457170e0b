"""The Telegram bench's figures as text: one block per configuration and number of users."""

from __future__ import annotations

from typing import Any

from bench.procs import MARK, median, spread

# Issue 17's targets, limits lifted: ours against the echo bot on the same transport.
TARGET_RATIO = 0.5
TARGET_CPU_MS = 3.0

ROWS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("updates/s", ("updates_per_s",), 1),
    ("bot CPU ms per update", ("bot_cpu_ms_per_update",), 2),
    ("to the first reply p50 / p99 ms", ("first_p50_ms", "first_p99_ms"), 0),
    ("to the end of the turn p50 / p99 ms", ("end_p50_ms", "end_p99_ms"), 0),
    ("RSS MB idle before / after the run", ("idle_rss_mb", "rss_mb"), 1),
    ("Bot API calls per update (not getUpdates)", ("calls_per_update",), 2),
    ("messages sent per update", ("messages_per_update",), 2),
    ("load generator CPU, % of one core", ("driver_cpu_pct",), 0),
)


def _cell(runs: list[dict[str, Any]], keys: tuple[str, ...], digits: int) -> str:
    return " / ".join(spread((r[k] for r in runs), digits) for k in keys)


def ratio_runs(echo: list[dict[str, Any]], ours: list[dict[str, Any]]) -> list[float]:
    """Ours ÷ echo in updates/s, run by run (run i of each bot)."""
    return [o["updates_per_s"] / e["updates_per_s"] for e, o in zip(echo, ours, strict=True) if e["updates_per_s"]]


def block(title: str, echo: list[dict[str, Any]], ours: list[dict[str, Any]]) -> list[str]:
    lines = [f"  {title}", f"    {'':<44}{'echo bot (same transport)':<44}ours"]
    for name, keys, digits in ROWS:
        lines.append(f"    {name:<44}{_cell(echo, keys, digits):<44}{_cell(ours, keys, digits)}")
    for kind, runs in (("echo", echo), ("ours", ours)):
        stalls = sum(r["stalls"] for r in runs)
        if stalls:
            lines.append(f"    {kind}: {stalls} turns STALLED; its log ends:\n{runs[-1].get('log_tail', '')}")
    return lines


def report(figures: dict[str, Any]) -> str:
    runs = figures["runs"]
    lines = [
        "Telegram end to end — each bot in its own process, long-polling the fake Bot API on 127.0.0.1;",
        "baseline: an echo bot with our ApplicationBuilder settings (our aiohttp transport, pool 32, our rate limiter,",
        "32 chats at once, in order per chat); only the handler differs. Closed loop: each user waits for the",
        "end of a turn before the next message.",
        "",
        "Limits lifted (no flood limit, LEGALAID_RATE_LIMIT_PER_MINUTE=1,000,000): "
        f"median of {runs} run(s) [min–max]",
    ]
    for users, bots in figures["lifted"].items():
        echo, ours = bots["echo"], bots["ours"]
        turns = echo[0]["updates"] // int(users)
        lines += block(f"{users} users, {turns} recorded turns each", echo, ours)
        ratios = ratio_runs(echo, ours)
        cpu = median(r["bot_cpu_ms_per_update"] for r in ours)
        lines.append(
            f"    ours ÷ echo in updates/s: {spread(ratios, 2)} (target ≥ {TARGET_RATIO}: "
            f"{MARK[median(ratios) >= TARGET_RATIO]}); ours bot CPU per update {cpu:.2f} ms "
            f"(target ≤ {TARGET_CPU_MS:.0f} ms: {MARK[cpu <= TARGET_CPU_MS]})"
        )
    lines += [
        "",
        "As shipped (Telegram's real limit: 30 messages/s across all chats; LEGALAID_RATE_LIMIT_PER_MINUTE=20;",
        "ours is `legalaid telegram`): one run, both bots side by side; latency grows as users ÷ 30 s",
    ]
    for users, bots in figures["shipped"].items():
        echo, ours = bots["echo"], bots["ours"]
        turns = echo[0]["updates"] // int(users)
        title = f"{users} users, {turns} recorded turn(s) each; users ÷ 30 = {int(users) / 30:.1f} s"
        lines += block(title, echo, ours)
    return "\n".join(lines)
