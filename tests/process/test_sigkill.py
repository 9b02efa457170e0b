"""SIGKILL at a random moment, then restart: nothing promised is lost, nothing is doubled."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from handlers.state import Conversation

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[2]


def run_until_killed(data_dir: Path, start: int, promises: int) -> list[str]:
    """Start the worker, let it make `promises` promises (plus a random bit more), SIGKILL it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.process.crash_worker", str(data_dir), str(start)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )
    lines: list[str] = []
    try:
        deadline = time.monotonic() + 60
        while len([x for x in lines if x.startswith(("BOOKED", "ANSWERED"))]) < promises:
            line = proc.stdout.readline()
            assert line, "the worker stopped on its own"
            lines.append(line.strip())
            assert time.monotonic() < deadline
        time.sleep(random.uniform(0, 0.05))  # somewhere in the middle of the next booking or answer
    finally:
        proc.send_signal(signal.SIGKILL)
        rest, _ = proc.communicate(timeout=10)
    return lines + [x.strip() for x in rest.splitlines() if x.strip()]


def test_a_killed_bot_restarts_with_every_promise_kept_and_nothing_doubled(tmp_path):
    data = tmp_path / "data"
    first = run_until_killed(data, 0, promises=12)
    second = run_until_killed(data, 1000, promises=8)
    db = sqlite3.connect(data / "legalaid.sqlite3")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    refs = {line.split()[1] for line in first + second if line.startswith("BOOKED")}
    stored = {r[0] for r in db.execute("SELECT ref FROM bookings WHERE status = 'active'")}
    assert refs <= stored, "every booking a person was told about is there"
    seats = db.execute(
        "SELECT county, visit_date, window, seat, COUNT(*) FROM bookings WHERE status != 'cancelled'"
        " GROUP BY 1, 2, 3, 4 HAVING COUNT(*) > 1").fetchall()
    assert seats == [], "no seat sold twice"
    reminders = db.execute("SELECT booking_id, audience, COUNT(*) FROM reminders GROUP BY 1, 2 HAVING COUNT(*) > 1")
    assert reminders.fetchall() == []

    answered = {int(line.split()[1]) for line in first + second if line.startswith("ANSWERED")}
    awards = dict(db.execute(
        "SELECT source_id, COUNT(*) FROM ledger WHERE source_kind = 'consultation' GROUP BY source_id").fetchall())
    assert all(awards.get(str(i)) == 1 for i in answered), "+5 once for every answer given on the holiday"
    assert all(count == 1 for count in awards.values())
    for consultation_id in answered:
        queued = db.execute("SELECT COUNT(*) FROM outbox WHERE dedupe_key = ?", (f"answer:{consultation_id}",))
        assert queued.fetchone()[0] == 1, "the answer is queued for the resident exactly once"

    state = db.execute("SELECT state FROM conversations WHERE user_id = 'halfway'").fetchone()[0]
    conversation = Conversation.model_validate(json.loads(state))
    assert conversation.flow == "book" and conversation.data["book"]["asked"][-1] == "date", "the half-done booking resumes"
