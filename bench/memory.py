"""Memory of the `legalaid` processes and the cold start of `legalaid ask`, against issue 17's targets.

    python -m bench.memory [--runs 3]       the cold `legalaid ask` only

The RSS figures come from the Telegram and WeChat benches' own processes (`legalaid telegram`,
`legalaid wechat`): VmRSS once started and idle before the first message, and after the runs
with 1,000 people. A cold ask is a new process answering one question (no database, no channel):
its wall time, and its CPU time (from wait4), which depends far less on what else the machine is
doing. (Not its peak RSS: a child forked from this process starts with this process's pages
counted, and Linux keeps that peak across exec.)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from typing import Any

from bench.procs import MARK, child_env, legalaid_command, median, spread

TARGET_IDLE_MB = 100.0
TARGET_AFTER_MB = 110.0
TARGET_ASK_S = 1.0
QUESTION = "我父亲75岁了，被人骗了钱，可以申请法律援助吗？"


def cold_ask(runs: int) -> dict[str, list[float]]:
    """Wall seconds and CPU seconds (user + system) of `legalaid ask QUESTION`, each in a new process."""
    figures: dict[str, list[float]] = {"wall": [], "cpu": []}
    with tempfile.TemporaryDirectory(prefix="bench-ask-") as folder:
        for _ in range(runs):
            started = time.perf_counter()
            child = subprocess.Popen([*legalaid_command(), "ask", QUESTION], cwd=folder,
                                     env=child_env(LEGALAID_DATA_DIR=folder),
                                     stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            _, status, usage = os.wait4(child.pid, 0)
            figures["wall"].append(time.perf_counter() - started)
            child.returncode = os.waitstatus_to_exitcode(status)
            if child.returncode:
                raise subprocess.CalledProcessError(child.returncode, child.args)
            figures["cpu"].append(usage.ru_utime + usage.ru_stime)
    return figures


def _line(what: str, values: list[float], target: float, unit: str, digits: int = 1) -> str:
    if not values:
        return f"  {what}: not measured in this run"
    return (f"  {what}: {spread(values, digits)} {unit} "
            f"(target ≤ {target:g} {unit}: {MARK[median(values) <= target]})")


def report(telegram: dict[str, Any] | None, wechat: dict[str, Any] | None, ask: dict[str, list[float]]) -> str:
    lines = ["Memory and start (RSS = VmRSS of the process; median [min–max] over the runs shown)"]
    idle: list[float] = []
    after: list[float] = []
    if telegram is not None:
        for users, bots in telegram["shipped"].items():
            idle += [r["idle_rss_mb"] for r in bots["ours"]]
        most = max(telegram["lifted"], key=int, default=None)
        if most is not None and int(most) >= 1000:
            after += [r["rss_mb"] for r in telegram["lifted"][most]["ours"]]
    lines.append(_line("`legalaid telegram` idle, before the first update", idle, TARGET_IDLE_MB, "MB"))
    lines.append(_line("`legalaid telegram` after 1,000 users (limits lifted)", after, TARGET_AFTER_MB, "MB"))
    if wechat is not None:
        lines.append(_line("`legalaid wechat` idle, before the first message",
                           [r["idle_rss_mb"] for r in wechat["ours"]], TARGET_IDLE_MB, "MB"))
        if wechat["burst"] >= 1000:
            messages = wechat["people"] * wechat["messages"]
            what = f"`legalaid wechat` after {messages:,} messages and {wechat['burst']:,} at once"
            lines.append(_line(what, [r["rss_mb"] for r in wechat["ours"]], TARGET_AFTER_MB, "MB"))
    lines.append(_line(f"cold `legalaid ask \"{QUESTION}\"`, wall time", ask["wall"], TARGET_ASK_S, "s", 2))
    lines.append(f"    its CPU time (user + system): {spread(ask['cpu'], 2)} s; "
                 f"load average {os.getloadavg()[0]:.1f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    print(report(None, None, cold_ask(args.runs)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
