"""Home-visit bookings: capacity under concurrency, idempotency, reminders exactly once,
points for the visit exactly once, purging, and surviving a killed process."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest

from policy.eligibility import County
from policy.slots import lawyer_reminder_at, resident_reminder_at
from storage.booking_rows import Created
from storage.bookings import BookingDraft, BookingStore, forget_in
from storage.db import IntegrityError, database_for
from storage.users import UserStore, WebRole

SHANGHAI = ZoneInfo("Asia/Shanghai")
REPO = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)  # Thursday
VISIT = date(2026, 11, 30)  # the Monday after
STAFF = "staff:42"


def reminders_for(day: date) -> dict[str, datetime]:
    return {"resident": resident_reminder_at(day, SHANGHAI), "lawyer": lawyer_reminder_at(day, SHANGHAI)}


async def pending_reminders(store):
    """Reminders neither sent nor dropped, of active bookings: (id, ref, due_at) rows."""
    rows = await store.db.fetchall(
        "SELECT r.id, b.ref, r.due_at FROM reminders r JOIN bookings b ON b.id = r.booking_id"
        " WHERE r.sent_at IS NULL AND r.dropped_at IS NULL AND b.status = 'active' ORDER BY r.due_at, r.id"
    )
    return [SimpleNamespace(id=r["id"], ref=r["ref"], due_at=datetime.fromisoformat(r["due_at"])) for r in rows]



def draft(user: str = "elder-1", day: date = VISIT, window: str = "am", county: County = County.KECHENG):
    return BookingDraft(
        channel="telegram", user_id=user, county=county, visit_date=day, window=window,
        elder_name="张三", phone="13812345678", phone_owner="family", township="府山街道",
        address="衢州市柯城区某路1号", matter="赡养费", consent_at=NOW, access_needs="轮椅",
    )


@pytest.fixture
def store(db) -> BookingStore:
    return BookingStore(db, SHANGHAI)


async def book(store, user="elder-1", day=VISIT, window="am", capacity=2, key=None, now=NOW, county=County.KECHENG):
    return await store.create(
        draft(user, day, window, county), capacity, key or f"{user}-{day}-{window}", now, reminders_for(day)
    )


async def add_lawyer(db, name="王律师", channel="telegram", user_id="900") -> int:
    return await db.fetchval(
        "INSERT INTO lawyers (name, firm, channel, user_id, created_at) VALUES (?, '某律师事务所', ?, ?, ?) RETURNING id",
        name, channel, user_id, NOW.isoformat(),
    )


async def scalar(db, sql, params=()):
    return await db.fetchval(sql, *params)


# --- capacity ---------------------------------------------------------------------


async def test_200_concurrent_creates_fill_exactly_the_capacity(store, db):
    results = await asyncio.gather(*(book(store, user=f"u{i}", capacity=10) for i in range(200)))
    created = [r for r in results if r.status == "created"]
    assert len(created) == 10
    assert sum(r.status == "full" for r in results) == 190
    assert sorted(r.booking.seat for r in created) == list(range(1, 11))
    assert len({r.booking.ref for r in created}) == 10
    assert await scalar(db, "SELECT COUNT(*) FROM bookings") == 10


async def test_the_partial_unique_index_refuses_a_second_live_row_on_a_seat_even_from_raw_sql(store, db):
    first = (await book(store)).booking
    insert = (
        "INSERT INTO bookings (ref, channel, user_id, county, visit_date, \"window\", seat, status, elder_name,"
        " phone, phone_owner, township, address, matter, consent_at, request_key, created_at, updated_at)"
        " VALUES (?, 'c', 'u', ?, ?, 'am', ?, ?, 'x', '1', 'self', 't', 'a', 'm', 'now', ?, 'now', 'now')"
    )
    for status in ("active", "visited", "no_show"):
        with pytest.raises(IntegrityError):
            async with db.transaction() as conn:
                await conn.execute(insert, f"X-{status}", first.county, VISIT.isoformat(), first.seat, status, status)
    # A cancelled row does not hold its seat.
    async with db.transaction() as conn:
        await conn.execute(insert, "X-c", first.county, VISIT.isoformat(), first.seat, "cancelled", "k-c")


async def test_a_wrong_seat_choice_is_caught_by_the_index_and_reported_as_full(store, monkeypatch):
    await book(store, user="a")

    async def always_seat_one(*args, **kwargs):
        return 1

    monkeypatch.setattr(store, "_free_seat", always_seat_one)
    result = await book(store, user="b")
    assert result.status == "full" and result.booking is None


async def test_no_row_without_consent_or_with_a_seat_below_one(db):
    insert = (
        "INSERT INTO bookings (ref, channel, user_id, county, visit_date, \"window\", seat, elder_name, phone,"
        " phone_owner, township, address, matter, consent_at, request_key, created_at, updated_at)"
        " VALUES ('r', 'c', 'u', '柯城区', '2026-11-30', 'am', ?, 'x', '1', 'self', 't', 'a', 'm', ?, 'k', 'n', 'n')"
    )
    for seat, consent in ((1, None), (1, ""), (0, "2026-11-26T02:00:00+00:00")):
        with pytest.raises(IntegrityError):
            async with db.transaction() as conn:
                await conn.execute(insert, seat, consent)


async def test_the_county_check_lists_exactly_quzhous_six_counties(db):
    if db.kind == "sqlite":
        ddl = await db.fetchval("SELECT sql FROM sqlite_master WHERE name = 'bookings'")
    else:
        ddl = " ".join(r[0] for r in await db.fetchall(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'bookings'::regclass"))
    assert all(f"'{c.value}'" in ddl for c in County)
    with pytest.raises(ValueError):
        replace(draft(), county="杭州市")


async def test_availability_counts_live_seats_per_window_in_one_call(store):
    await book(store, user="a")
    await book(store, user="b")
    cancelled = (await book(store, user="c", window="pm")).booking
    await book(store, user="d", window="pm")
    await store.cancel(cancelled.ref, "telegram", "c", NOW)
    await book(store, user="e", county=County.KAIHUA)
    free = await store.availability(County.KECHENG, [VISIT, VISIT + timedelta(days=1)], ["am", "pm"], 2)
    assert free == {
        (VISIT, "am"): 0,
        (VISIT, "pm"): 1,
        (VISIT + timedelta(days=1), "am"): 2,
        (VISIT + timedelta(days=1), "pm"): 2,
    }


async def test_cancel_frees_the_seat_for_the_next_person(store):
    first = (await book(store, user="a", capacity=1)).booking
    assert (await book(store, user="b", capacity=1)).status == "full"

    outcome = await store.cancel(first.ref, "telegram", "a", NOW)
    assert outcome.status == "cancelled" and outcome.booking.status == "cancelled"

    second = await book(store, user="b", capacity=1, key="b-again")
    assert second.status == "created" and second.booking.seat == 1
    assert (await store.cancel(first.ref, "telegram", "a", NOW)).status == "already_cancelled"


async def test_only_the_owner_can_cancel_and_others_are_told_it_does_not_exist(store):
    mine = (await book(store, user="a")).booking
    assert (await store.cancel(mine.ref, "telegram", "someone-else", NOW)).status == "not_found"
    assert (await store.get(mine.ref)).status == "active"


async def test_a_past_visit_cannot_be_cancelled(store):
    ref = (await book(store)).booking.ref
    assert (await store.cancel(ref, "telegram", "elder-1", NOW + timedelta(days=5))).status == "past"


# --- idempotency ------------------------------------------------------------------


async def test_a_double_tap_gives_the_same_booking(store, db):
    first = await book(store, key="tap-1")
    again = await book(store, key="tap-1")
    assert (first.status, again.status) == ("created", "duplicate")
    assert again.booking == first.booking
    assert await scalar(db, "SELECT COUNT(*) FROM bookings") == 1


async def test_concurrent_taps_with_one_key_make_one_booking(store, db):
    results = await asyncio.gather(*(book(store, key="tap-2") for _ in range(20)))
    assert sorted(r.status for r in results).count("created") == 1
    assert {r.booking.ref for r in results} == {results[0].booking.ref}
    assert await scalar(db, "SELECT COUNT(*) FROM bookings") == 1


async def test_a_request_key_of_another_user_is_a_programming_error(store):
    await book(store, user="a", key="shared")
    with pytest.raises(ValueError):
        await book(store, user="b", key="shared")


async def test_references_are_sequential_per_creation_day(store):
    first = await book(store, user="a")
    second = await book(store, user="b")
    next_day = await book(store, user="c", window="pm", now=NOW + timedelta(days=1))
    assert [first.booking.ref, second.booking.ref, next_day.booking.ref] == [
        "SM-20261126-0001",
        "SM-20261126-0002",
        "SM-20261127-0001",
    ]


async def test_a_full_attempt_does_not_use_up_a_reference_number(store):
    await book(store, user="a", capacity=1)
    await book(store, user="b", capacity=1)
    third = await book(store, user="c", window="pm", capacity=1)
    assert third.booking.ref == "SM-20261126-0002"


# --- reschedule -------------------------------------------------------------------


async def test_reschedule_keeps_the_reference_and_moves_the_seat(store):
    original = (await book(store, user="a")).booking
    new_day = VISIT + timedelta(days=1)
    outcome = await store.reschedule(
        original.ref, "telegram", "a", new_day, "pm", 2, NOW, reminders_for(new_day)
    )
    assert outcome.status == "moved"
    assert outcome.booking.ref == original.ref
    assert (outcome.booking.visit_date, outcome.booking.window, outcome.booking.seat) == (new_day, "pm", 1)
    free = await store.availability(County.KECHENG, [VISIT, new_day], ["am", "pm"], 2)
    assert free[(VISIT, "am")] == 2 and free[(new_day, "pm")] == 1
    [pending] = await pending_reminders(store)
    assert pending.due_at == resident_reminder_at(new_day, SHANGHAI)


async def test_reschedule_into_a_full_window_changes_nothing(store):
    await book(store, user="x", window="pm", capacity=1)
    mine = (await book(store, user="a", capacity=1)).booking
    outcome = await store.reschedule(mine.ref, "telegram", "a", VISIT, "pm", 1, NOW, reminders_for(VISIT))
    assert outcome.status == "full"
    assert await store.get(mine.ref) == mine


async def test_only_the_owner_can_reschedule(store):
    mine = (await book(store, user="a")).booking
    outcome = await store.reschedule(mine.ref, "telegram", "b", VISIT, "pm", 2, NOW, reminders_for(VISIT))
    assert outcome.status == "not_found"
    assert (await store.get(mine.ref)).window == "am"


# --- lawyer and points ------------------------------------------------------------


async def test_mark_visited_twice_gives_the_lawyer_one_plus_ten(store, db):
    lawyer = await add_lawyer(db)
    ref = (await book(store)).booking.ref
    assert (await store.assign_lawyer(ref, lawyer, NOW, lawyer_reminder_at(VISIT, SHANGHAI))).status == "assigned"
    on_the_day = datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)

    first, second = await asyncio.gather(
        store.mark_visited(ref, STAFF, on_the_day), store.mark_visited(ref, STAFF, on_the_day)
    )
    third = await store.mark_visited(ref, STAFF, on_the_day)

    assert sorted([first.status, second.status, third.status]) == ["already_visited", "already_visited", "visited"]
    rows = await db.fetchall("SELECT * FROM ledger")
    assert len(rows) == 1
    row = rows[0]
    assert (row["lawyer_id"], row["item_key"], row["clause"], row["points"]) == (lawyer, "activity", "二(一)4", 10)
    assert (row["source_kind"], row["source_id"], row["occurred_on"], row["entered_by"]) == (
        "visit", ref, "2026-11-30", STAFF,
    )


async def test_mark_visited_is_refused_without_a_lawyer_or_before_the_day(store, db):
    ref = (await book(store)).booking.ref
    on_the_day = datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
    assert (await store.mark_visited(ref, STAFF, on_the_day)).status == "no_lawyer"
    await store.assign_lawyer(ref, await add_lawyer(db), NOW, None)
    assert (await store.mark_visited(ref, STAFF, NOW)).status == "not_yet"
    assert await scalar(db, "SELECT COUNT(*) FROM ledger") == 0
    assert (await store.get(ref)).status == "active"


async def test_a_no_show_earns_nothing_and_can_be_corrected_to_visited(store, db):
    lawyer = await add_lawyer(db)
    ref = (await book(store)).booking.ref
    await store.assign_lawyer(ref, lawyer, NOW, None)
    on_the_day = datetime(2026, 11, 30, 12, 0, tzinfo=SHANGHAI)
    assert (await store.mark_no_show(ref, STAFF, on_the_day)).status == "no_show"
    assert await scalar(db, "SELECT COUNT(*) FROM ledger") == 0
    assert (await store.mark_visited(ref, STAFF, on_the_day)).status == "visited"
    assert await scalar(db, "SELECT SUM(points) FROM ledger WHERE lawyer_id = ?", (lawyer,)) == 10
    assert (await store.mark_no_show(ref, STAFF, on_the_day)).status == "not_active"


async def test_assigning_an_unknown_lawyer_is_refused(store):
    ref = (await book(store)).booking.ref
    assert (await store.assign_lawyer(ref, 999, NOW, None)).status == "no_such_lawyer"
    assert (await store.get(ref)).lawyer_id is None


# --- reminders --------------------------------------------------------------------


async def test_reminders_fall_due_at_their_time_and_carry_the_visit(store, db):
    ref = (await book(store)).booking.ref
    await store.assign_lawyer(ref, await add_lawyer(db), NOW, lawyer_reminder_at(VISIT, SHANGHAI))
    evening_before = datetime(2026, 11, 29, 18, 0, tzinfo=SHANGHAI)
    assert await store.due_reminders(evening_before - timedelta(minutes=1)) == []
    due = await store.due_reminders(evening_before)
    assert sorted(r.audience for r in due) == ["lawyer", "resident"]
    lawyer_msg = next(r for r in due if r.audience == "lawyer")
    assert (lawyer_msg.ref, lawyer_msg.booking.address, lawyer_msg.lawyer_channel, lawyer_msg.lawyer_user_id) == (
        ref, "衢州市柯城区某路1号", "telegram", "900",
    )


async def test_two_senders_racing_send_each_reminder_exactly_once(store, db):
    await book(store)
    other_db = database_for(db.url)
    await other_db.open()
    try:
        other = BookingStore(other_db, SHANGHAI)
        due_time = datetime(2026, 11, 29, 18, 0, 5, tzinfo=SHANGHAI)
        [mine] = await store.due_reminders(due_time)
        [theirs] = await other.due_reminders(due_time)
        claims = await asyncio.gather(
            *(s.mark_reminder_sent(r.id, due_time) for s, r in [(store, mine), (other, theirs)] * 5)
        )
        assert claims.count(True) == 1
        assert await store.due_reminders(due_time) == []
    finally:
        await other_db.close()


async def test_a_rescheduled_reminder_cannot_be_claimed_under_its_old_time(store):
    ref = (await book(store)).booking.ref
    old_due = datetime(2026, 11, 29, 18, 0, tzinfo=SHANGHAI)
    [stale] = await store.due_reminders(old_due)
    new_day = VISIT + timedelta(days=3)
    before_old_due = old_due - timedelta(hours=1)
    await store.reschedule(ref, "telegram", "elder-1", new_day, "am", 2, before_old_due, reminders_for(new_day))
    assert not await store.mark_reminder_sent(stale.id, old_due)
    assert [r.ref for r in await store.due_reminders(resident_reminder_at(new_day, SHANGHAI))] == [ref]


async def test_cancel_drops_the_unsent_reminders(store):
    ref = (await book(store)).booking.ref
    assert len(await pending_reminders(store)) == 1
    await store.cancel(ref, "telegram", "elder-1", NOW)
    assert await pending_reminders(store) == []
    assert await store.due_reminders(NOW + timedelta(days=10)) == []


async def test_a_reminder_whose_time_has_passed_is_not_armed(store):
    late_evening = datetime(2026, 11, 29, 23, 0, tzinfo=SHANGHAI)
    await store.create(draft(), 2, "late", late_evening, reminders_for(VISIT))
    assert await pending_reminders(store) == []


async def test_a_dropped_reminder_is_neither_due_nor_claimable(store):
    await book(store)
    [pending] = await pending_reminders(store)
    assert await store.drop_reminder(pending.id, NOW, "lawyer has no chat account")
    assert not await store.drop_reminder(pending.id, NOW, "again")
    later = NOW + timedelta(days=4)
    assert await store.due_reminders(later) == []
    assert not await store.mark_reminder_sent(pending.id, later)


# --- personal data ----------------------------------------------------------------


async def _counts(db):
    rows = await db.fetchall(
        'SELECT county, visit_date, "window", status, lawyer_id, COUNT(*) FROM bookings'
        ' GROUP BY county, visit_date, "window", status, lawyer_id ORDER BY 1, 2, 3, 4, 5'
    )
    return [tuple(r) for r in rows]


async def test_purge_blanks_bookings_past_the_cut_off_whatever_their_status_and_keeps_the_counts(store, db):
    lawyer = await add_lawyer(db)
    visited = (await book(store, user="a")).booking.ref
    no_show = (await book(store, user="b")).booking.ref
    cancelled = (await book(store, user="c", window="pm")).booking.ref
    still_active = (await book(store, user="d", window="pm")).booking.ref
    later = (await book(store, user="e", day=VISIT + timedelta(days=60))).booking.ref
    on_the_day = datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI)
    for ref in (visited, no_show):
        await store.assign_lawyer(ref, lawyer, NOW, None)
    await store.mark_visited(visited, STAFF, on_the_day)
    await store.mark_no_show(no_show, STAFF, on_the_day)
    await store.cancel(cancelled, "telegram", "c", NOW)
    before = await _counts(db)

    purged = await store.purge_personal(VISIT + timedelta(days=1), NOW + timedelta(days=200))

    assert purged == 4  # a visit never marked done is over all the same
    assert await _counts(db) == before
    for ref in (visited, no_show, cancelled, still_active):
        b = await store.get(ref)
        assert (b.elder_name, b.phone, b.address, b.access_needs, b.matter, b.user_id) == ("",) * 6
        assert b.personal_purged_at is not None and b.township == "府山街道"
    assert (await store.get(later)).phone == "13812345678"
    assert await scalar(db, "SELECT SUM(points) FROM ledger") == 10
    assert await store.purge_personal(VISIT + timedelta(days=1), NOW + timedelta(days=201)) == 0


async def test_forgetting_blanks_their_data_and_cancels_their_future_visits(store, db):
    past = (await book(store, user="a")).booking.ref
    await store.mark_no_show(past, STAFF, datetime(2026, 11, 30, 18, 0, tzinfo=SHANGHAI))
    future = (await book(store, user="a", day=VISIT + timedelta(days=7), capacity=1)).booking.ref
    someone_else = (await book(store, user="b")).booking.ref
    when = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)

    async with db.transaction() as conn:
        assert [b.ref for b in await forget_in(conn, "telegram", "a", when)] == [future]

    assert await store.list_for_user("telegram", "a") == []
    for ref in (past, future):
        b = await store.get(ref)
        assert (b.elder_name, b.phone, b.address, b.matter, b.user_id) == ("",) * 5
    assert (await store.get(future)).status == "cancelled"
    assert (await store.get(past)).status == "no_show"
    assert [p.ref for p in await pending_reminders(store)] == [someone_else]
    assert (await store.get(someone_else)).elder_name == "张三"
    free = await store.availability(County.KECHENG, [VISIT + timedelta(days=7)], ["am"], 1)
    assert free[(VISIT + timedelta(days=7), "am")] == 1


async def test_forget_in_runs_in_the_callers_transaction_and_returns_the_visits_it_cancelled(store, db):
    past = (await book(store, user="a")).booking.ref
    future = (await book(store, user="a", day=VISIT + timedelta(days=7))).booking.ref
    when = datetime(2026, 12, 1, 9, 0, tzinfo=SHANGHAI)
    async with db.transaction() as conn:
        cancelled = await forget_in(conn, "telegram", "a", when)
    assert [(b.ref, b.elder_name) for b in cancelled] == [(future, "张三")]
    assert (await store.get(past)).status == "active" and (await store.get(past)).phone == ""


async def test_list_for_user_puts_active_visits_first_soonest_first(store):
    late = (await book(store, day=VISIT + timedelta(days=3))).booking.ref
    soon = (await book(store, day=VISIT)).booking.ref
    gone = (await book(store, day=VISIT + timedelta(days=1))).booking.ref
    await store.cancel(gone, "telegram", "elder-1", NOW)
    assert [b.ref for b in await store.list_for_user("telegram", "elder-1")] == [soon, late, gone]


async def test_export_rows_cover_the_date_range_with_the_lawyer(store, db):
    lawyer = await add_lawyer(db, name="李律师")
    inside = (await book(store, user="a")).booking.ref
    await book(store, user="b", day=VISIT + timedelta(days=10))
    await store.assign_lawyer(inside, lawyer, NOW, None)
    rows = await store.export_rows(VISIT, VISIT + timedelta(days=1))
    assert [(r.booking.ref, r.lawyer_name, r.booking.elder_name) for r in rows] == [(inside, "李律师", "张三")]


async def test_export_rows_name_the_member_of_staff_who_goes_instead(store, db):
    member = await UserStore(db).add("李芳", WebRole.STAFF, None, "argon2-hash", NOW)
    ref = (await book(store, user="a")).booking.ref
    await store.assign_staff(ref, member.id, NOW)
    [row] = await store.export_rows(VISIT, VISIT)
    assert (row.booking.ref, row.lawyer_name, row.staff_name) == (ref, None, "李芳")


# --- crash safety -----------------------------------------------------------------

BOOKING_LOOP = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import date, datetime, timedelta
    from zoneinfo import ZoneInfo
    from policy.eligibility import County
    from storage.bookings import BookingDraft, BookingStore, forget_in
    from storage.db import IntegrityError, database_for

    SH = ZoneInfo("Asia/Shanghai")

    async def main(path):
        db = database_for(path)
        await db.open()
        store = BookingStore(db, SH)
        now = datetime(2026, 11, 26, 10, 0, tzinfo=SH)
        n = 0
        for batch in range(100000):
            day = date(2026, 12, 1) + timedelta(days=batch // 2)
            window = "am" if batch % 2 == 0 else "pm"

            async def one(i):
                d = BookingDraft("console", f"u{batch}-{i}", County.KECHENG, day, window, "张三", "13800000000",
                                 "self", "府山街道", "地址", "事项", now)
                return await store.create(d, 2, f"k{batch}-{i}", now, {"resident": now + timedelta(days=3)})

            for r in await asyncio.gather(*(one(i) for i in range(4))):
                if r.status == "created":
                    print(r.booking.ref, flush=True)

    asyncio.run(main(sys.argv[1]))
    """
)


async def test_a_process_killed_mid_burst_leaves_a_sound_database_with_every_confirmed_booking(tmp_path):
    path = tmp_path / "crash.sqlite3"
    script = tmp_path / "booking_loop.py"
    script.write_text(BOOKING_LOOP, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    proc = subprocess.Popen([sys.executable, str(script), f"sqlite:///{path}"], stdout=subprocess.PIPE, text=True,
                            env=env)
    confirmed: list[str] = []
    deadline = time.monotonic() + 10
    try:
        while len(confirmed) < 60 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            confirmed.append(line.strip())
        assert len(confirmed) >= 60, "the booking loop stopped or was too slow"
        os.kill(proc.pid, signal.SIGKILL)  # still booking: in the middle of a burst
    finally:
        if proc.poll() is None:
            proc.kill()
        rest, _ = proc.communicate(timeout=10)
    confirmed += [line.strip() for line in rest.splitlines() if line.strip()]
    assert proc.returncode == -signal.SIGKILL

    db = database_for(f"sqlite:///{path}")
    await db.open()
    try:
        assert await scalar(db, "PRAGMA integrity_check") == "ok"
        assert await scalar(
            db,
            "SELECT COUNT(*) FROM (SELECT 1 FROM bookings WHERE status != 'cancelled'"
            ' GROUP BY county, visit_date, "window" HAVING COUNT(*) > 2 OR COUNT(DISTINCT seat) < COUNT(*))',
        ) == 0
        stored = {r[0] for r in await db.fetchall("SELECT ref FROM bookings")}
        assert set(confirmed) <= stored
        assert len(stored) >= len(confirmed) >= 60
    finally:
        await db.close()


async def test_one_account_or_one_phone_holds_at_most_the_limit_of_visits_to_come(store):
    """Issue 13: one account took both places of a county's morning; now the limit is checked with the seat."""
    for day in (VISIT, VISIT + timedelta(days=1)):
        made = await store.create(draft(day=day), 10, f"a-{day}", NOW, reminders_for(day), limit=2)
        assert made.status is Created.CREATED
    third = VISIT + timedelta(days=2)
    assert (await store.create(draft(day=third), 10, "a-3", NOW, reminders_for(third), limit=2)).status is Created.LIMIT
    # Another account with the same phone number is held to the same limit; a different number is not.
    other = draft(user="elder-2", day=third)
    assert (await store.create(other, 10, "b-1", NOW, reminders_for(third), limit=2)).status is Created.LIMIT
    other_phone = BookingDraft(**{**vars(other), "phone": "13900000000"})
    assert (await store.create(other_phone, 10, "b-2", NOW, reminders_for(third), limit=2)).status is Created.CREATED
    # A cancelled visit frees its place in the limit.
    first = (await store.list_for_user("telegram", "elder-1"))[0]
    await store.cancel(first.ref, "telegram", "elder-1", NOW)
    assert (await store.create(draft(day=third), 10, "a-4", NOW, reminders_for(third), limit=2)).status is Created.CREATED
