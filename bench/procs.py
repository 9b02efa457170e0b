"""What every benchmark reads about a process (CPU, memory from /proc) and how it summarises runs."""

from __future__ import annotations

import os
import statistics
import sys
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
MARK = {True: "met", False: "NOT met"}


def legalaid_command() -> list[str]:
    """`legalaid` as installed beside this interpreter (the console script), else `python -m bot.cli`."""
    script = Path(sys.executable).with_name("legalaid")
    return [str(script)] if script.exists() else [sys.executable, "-m", "bot.cli"]


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a process under test: ours, without LEGALAID_*/TELEGRAM_*/WECHAT_* leaking in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEGALAID_", "TELEGRAM_", "WECHAT_"))}
    env["PYTHONPATH"] = str(REPO)
    env.update(extra)
    return env


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far, from /proc/PID/stat (0 where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    """Resident memory of a process now (VmRSS) in MB; nan where there is no /proc."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return float("nan")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile of unsorted values (nan when empty)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))]


def spread(values: Iterable[float], digits: int = 1) -> str:
    """"median [min–max]" of several runs, or the one figure of a single run."""
    runs = [v for v in values if v == v]  # nan (not measured) left out
    if not runs:
        return "n/a"
    median = f"{statistics.median(runs):.{digits}f}"
    if len(runs) == 1:
        return median
    return f"{median} [{min(runs):.{digits}f}–{max(runs):.{digits}f}]"


def median(values: Iterable[float]) -> float:
    runs = [v for v in values if v == v]
    return statistics.median(runs) if runs else float("nan")
