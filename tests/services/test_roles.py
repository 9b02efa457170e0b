"""Every service function refuses a role that may not act: typed PermissionDenied, nothing written."""

from __future__ import annotations

from datetime import date

import pytest

from services import consultations, duty, lawyers, misses, points, retention, visit_care, visits
from services.actor import SYSTEM, PermissionDenied


async def test_a_lawyer_cannot_do_staff_work(rt, lawyer):
    s, now = rt.services, rt.now()
    staff_only = [
        visits.day_list(s, lawyer, now.date()),
        visits.export(s, lawyer, date(2026, 11, 1), date(2026, 11, 30), "csv", now),
        points.add_entry(s, lawyer, lawyer.lawyer.id, "case", now.date(), now),
        points.waiting_corrections(s, lawyer),
        points.report(s, lawyer, 2026, None, "csv"),
        lawyers.add_lawyer(s, lawyer, "甲", "所", now),
        consultations.unclaimed(s, lawyer, now),
        misses.misses(s, lawyer, None),
        duty.roster(s, lawyer, now.date()),
        duty.now_on_duty(s, lawyer, now),
    ]
    for call in staff_only:
        with pytest.raises(PermissionDenied):
            await call
    assert (await s.ledger.statement(lawyer.lawyer.id, 2026)).items == []


async def test_staff_cannot_claim_answer_or_file_a_correction(rt, staff):
    s, now = rt.services, rt.now()
    for call in (consultations.claim(s, staff, 1, now), points.file_correction(s, staff, 2026, 3, "漏记", now.date(), now),
                 lawyers.toggle_duty(s, staff)):
        with pytest.raises(PermissionDenied):
            await call


async def test_a_lawyer_reads_only_their_own_statement(rt, lawyer, staff):
    other, _ = await rt.services.ledger.add_lawyer("李律师", "所", rt.now())
    with pytest.raises(PermissionDenied):
        await points.statement(rt.services, lawyer, other.id, 2026, 4)
    assert (await points.statement(rt.services, staff, other.id, 2026, 4)).total == 0


async def test_only_the_scheduler_runs_the_periodic_jobs(rt, staff):
    s, now = rt.services, rt.now()
    for job in (points.quarterly_statements, consultations.renotify_unclaimed, consultations.stalled,
                visit_care.send_due_reminders, visit_care.purge_expired, retention.purge):
        with pytest.raises(PermissionDenied):
            await job(s, staff, now)
    with pytest.raises(PermissionDenied):
        await duty.remind_tomorrow(s, staff, now, consultations.QUIET_HOURS)
    assert (await points.quarterly_statements(rt.services, SYSTEM, rt.now())).value == 0
