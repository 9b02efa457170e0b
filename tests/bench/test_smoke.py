"""`python -m bench --quick`: every bench of ours runs in its smallest configuration and prints its figures.

No timing is asserted (the figures of a quick run mean nothing); what is checked is that each
bench still runs end to end and reports each figure beside its baseline and target, and that
the booking race, which is about correctness, books exactly the places there are.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.profile import py_spy

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.timeout(900)
def test_the_quick_bench_runs_every_bench_and_prints_its_figures():
    done = subprocess.run([sys.executable, "-m", "bench", "--quick"], cwd=REPO, capture_output=True, text=True,
                          timeout=880, stdin=subprocess.DEVNULL)
    out = done.stdout
    assert done.returncode == 0, done.stderr[-3000:]
    # Booking race: exactly the 10 places, read back from the database.
    assert "2 processes: 10 booked (10 in the database), 30 told full, 0 errors" in out
    # Telegram: both configurations, ours beside the echo bot, both latencies, CPU and RSS.
    for line in ("Limits lifted", "As shipped", "echo bot (same transport)", "updates/s", "bot CPU ms per update",
                 "to the first reply p50 / p99 ms", "to the end of the turn p50 / p99 ms",
                 "RSS MB idle before / after the run", "ours ÷ echo in updates/s"):
        assert line in out, line
    assert "STALLED" not in out
    # WeChat: ours beside the bare handler, with the passive replies WeChat would have discarded.
    for line in ("bare handler", "requests/s", "passive replies after 5 s (lost)", "ours ÷ bare in requests/s"):
        assert line in out, line
    # Memory and start, each against its target.
    assert "`legalaid telegram` idle, before the first update:" in out
    assert "`legalaid wechat` idle, before the first message:" in out
    assert "cold `legalaid ask" in out and "(target ≤ 1 s:" in out
    # A turn's cost in process: the database calls and thread hand-offs per update (load-independent).
    assert "Turn cost in process" in out and "database calls/update" in out and "thread hand-offs/update" in out
    if py_spy():
        assert "aiosqlite thread" in out and "event-loop wake-ups" in out
    else:
        assert "py-spy is not installed" in out
