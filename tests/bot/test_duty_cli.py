"""`legalaid duty list|add|remove`, run as a real process on today's real calendar."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from policy.duty_roster import non_working_days
from policy.workdays import WorkCalendar
from tests.bot.test_cli import legalaid

pytestmark = pytest.mark.timeout(180)


def coming_days() -> tuple[date, date]:
    """The next non-working day after today, and the next working day, in the centre's zone."""
    cal, tomorrow = WorkCalendar(), datetime.now(ZoneInfo("Asia/Shanghai")).date() + timedelta(days=1)
    free = non_working_days(tomorrow, 21, cal)[0]
    worked = next(d for d in (tomorrow + timedelta(days=n) for n in range(21)) if cal.is_workday(d))
    return free, worked


def test_staff_keep_the_roster_from_the_command_line(tmp_path):
    free, worked = coming_days()
    assert legalaid("lawyers", "add", "--name", "王律师", "--firm", "某所", data_dir=tmp_path).returncode == 0
    added = legalaid("duty", "add", free.isoformat(), "1", "--by", "张三", data_dir=tmp_path)
    assert (added.returncode, added.stdout.strip()) == (0, f"lawyer 1 added to {free.isoformat()}"), added.stderr
    listed = legalaid("duty", "list", "--weeks", "3", data_dir=tmp_path)
    [line] = [x for x in listed.stdout.splitlines() if x.startswith(free.isoformat())]
    assert "王律师 (1) unreachable" in line  # no chat account bound yet
    refused = legalaid("duty", "add", worked.isoformat(), "1", data_dir=tmp_path)
    assert refused.returncode == 2 and "工作日" in refused.stderr and len(refused.stderr.strip().splitlines()) == 1
    removed = legalaid("duty", "remove", free.isoformat(), "1", data_dir=tmp_path)
    assert removed.stdout.strip() == f"lawyer 1 removed from {free.isoformat()}"
    listed = legalaid("duty", "list", "--weeks", "3", data_dir=tmp_path)
    assert "-- nobody --" in next(x for x in listed.stdout.splitlines() if x.startswith(free.isoformat()))
    assert legalaid("duty", "add", "next-saturday", "1", data_dir=tmp_path).returncode == 2
