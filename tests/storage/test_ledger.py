"""The points ledger (衢市司发〔2020〕4号 二): registration, exactly-once awards, reversals,
statements, ratings, corrections and the ranking."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy.points import AWARDS, DEDUCTIONS, Bands, Rating, signed_points
from policy.workdays import WorkCalendar
from storage.db import IntegrityError, database_for
from storage.sqlite import SQLiteDatabase
from storage.lawyers import CODE_ALPHABET, CODE_LENGTH
from storage.ledger import Decision, LedgerError, LedgerStore, UnknownRecord, insert_award

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)  # a Thursday
TODAY = NOW.date()
STAFF = "staff:42"


@pytest.fixture
def store(db) -> LedgerStore:
    return LedgerStore(db, SHANGHAI)


@pytest.fixture
async def lawyer(store):
    lawyer, _ = await store.add_lawyer("张三", "衢州正言律师事务所", NOW)
    return lawyer


async def ledger_rows(db, lawyer_id=None):
    sql, params = "SELECT * FROM ledger", ()
    if lawyer_id is not None:
        sql, params = sql + " WHERE lawyer_id = ?", (lawyer_id,)
    return await db.fetchall(sql, *params)


async def award(store, lawyer_id, key, kind, source, day, now) -> bool:
    """An automatic award the way bookings and consultations make one: inside their own transaction."""
    async with store.db.transaction() as conn:
        return await insert_award(conn, lawyer_id, key, kind, source, day.isoformat(), "system", now) is not None


async def year_total(store, lawyer_id, year) -> int:
    return (await store.statement(lawyer_id, year)).total


async def rating(store, lawyer_id, year, bands=Bands()) -> Rating:
    (row,) = [r for r in await store.report(year, None, bands) if r.lawyer_id == lawyer_id]
    return row.rating


# --- registration ---------------------------------------------------------------------------


async def test_a_registration_code_binds_one_account_once(store):
    lawyer, code = await store.add_lawyer("李四", "浙江衢州律师事务所", NOW)
    assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)
    assert not lawyer.bound

    bound = await store.bind(code, "telegram", "1001", NOW + timedelta(hours=1))
    assert bound is not None and bound.id == lawyer.id
    assert (bound.channel, bound.user_id) == ("telegram", "1001")
    assert await store.lawyer_for("telegram", "1001") == bound

    assert await store.bind(code, "telegram", "2002", NOW + timedelta(hours=2)) is None
    assert await store.lawyer_for("telegram", "2002") is None


async def test_only_the_hash_of_the_code_is_stored_and_it_is_cleared_on_use(store, db):
    lawyer, code = await store.add_lawyer("李四", "浙江衢州律师事务所", NOW)
    row = dict(await db.fetchone("SELECT * FROM lawyers WHERE id = ?", lawyer.id))
    assert code not in repr(row)
    assert row["register_code_hash"] == hashlib.sha256(code.encode()).hexdigest()

    await store.bind(code, "wechat", "o-abc", NOW)
    assert await db.fetchval("SELECT register_code_hash FROM lawyers WHERE id = ?", lawyer.id) is None


async def test_a_code_typed_in_lowercase_with_spaces_or_full_width_still_binds(store):
    _, code = await store.add_lawyer("王五", "所", NOW)
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in code.lower())
    typed = f" {full_width[:4]} {full_width[4:]} "
    assert await store.bind(typed, "telegram", "1", NOW) is not None


async def test_a_code_expires_after_its_time_to_live(store):
    _, late = await store.add_lawyer("甲", "所", NOW, code_ttl=timedelta(days=7))
    _, in_time = await store.add_lawyer("乙", "所", NOW, code_ttl=timedelta(days=7))
    assert await store.bind(late, "telegram", "1", NOW + timedelta(days=7)) is None
    assert await store.bind(in_time, "telegram", "2", NOW + timedelta(days=7, seconds=-1)) is not None


async def test_an_unknown_code_binds_nobody(store):
    await store.add_lawyer("甲", "所", NOW)
    assert await store.bind("AAAAAAAA", "telegram", "1", NOW) is None


async def test_an_account_already_bound_to_one_lawyer_cannot_bind_another(store):
    first, code1 = await store.add_lawyer("甲", "所", NOW)
    _, code2 = await store.add_lawyer("乙", "所", NOW)
    await store.bind(code1, "telegram", "1", NOW)
    with pytest.raises(LedgerError) as err:
        await store.bind(code2, "telegram", "1", NOW)
    assert err.value.text_id == "ledger.error.account_already_bound"
    assert (await store.lawyer_for("telegram", "1")).id == first.id


async def test_only_bound_lawyers_can_be_on_duty_and_listed_as_such(store):
    on, code = await store.add_lawyer("甲", "所", NOW)
    off, _ = await store.add_lawyer("乙", "所", NOW)
    with pytest.raises(LedgerError):
        await store.set_on_duty(off.id, True)
    await store.bind(code, "telegram", "1", NOW)
    assert (await store.set_on_duty(on.id, True)).on_duty
    assert [l.id for l in await store.on_duty_lawyers()] == [on.id]
    await store.set_on_duty(on.id, False)
    assert await store.on_duty_lawyers() == []
    assert {l.id for l in await store.list_lawyers()} == {on.id, off.id}


async def test_unknown_lawyer_is_a_lookup_error(store):
    assert await store.get_lawyer(999) is None
    with pytest.raises(UnknownRecord):
        await store.add_entry(999, "case", TODAY, STAFF, NOW)


# --- automatic awards -------------------------------------------------------------------------


async def test_twenty_racing_auto_awards_for_one_consultation_add_exactly_one_entry(store, db, lawyer):
    results = await asyncio.gather(
        *(
            award(store, lawyer.id, "non_workday_consult", "consultation", "c-17", TODAY, NOW)
            for _ in range(20)
        )
    )
    assert results.count(True) == 1
    later = await award(store, 
        lawyer.id, "non_workday_consult", "consultation", "c-17", TODAY, NOW + timedelta(days=30)
    )
    assert later is False
    rows = await ledger_rows(db, lawyer.id)
    assert len(rows) == 1
    assert (rows[0]["points"], rows[0]["entered_by"]) == (5, "system")


async def test_auto_award_is_exactly_once_across_two_connections(database_url):
    first, second = database_for(database_url), database_for(database_url)
    await first.open()
    await second.open()
    try:
        lawyer, _ = await LedgerStore(first, SHANGHAI).add_lawyer("甲", "所", NOW)
        stores = [LedgerStore(first, SHANGHAI), LedgerStore(second, SHANGHAI)] * 10
        results = await asyncio.gather(
            *(award(s, lawyer.id, "activity", "visit", "v-1", TODAY, NOW) for s in stores)
        )
        assert results.count(True) == 1
        assert len(await ledger_rows(first)) == 1
    finally:
        await first.close()
        await second.close()


async def test_different_sources_each_earn_their_award(store, lawyer):
    for source in ("c-1", "c-2", "c-3"):
        assert await award(store, lawyer.id, "non_workday_consult", "consultation", source, TODAY, NOW)
    assert await year_total(store, lawyer.id, 2026) == 15


async def test_the_non_workday_consultation_award_appears_in_its_quarters_statement(store, lawyer):
    saturday = date(2026, 11, 21)
    await award(store, lawyer.id, "non_workday_consult", "consultation", "c-9", saturday, NOW)
    q4 = await store.statement(lawyer.id, 2026, 4)
    assert [(i.clause, i.points, i.occurred_on) for i in q4.items] == [("二(一)9", 5, saturday)]
    assert q4.items[0].title.startswith("非工作日解答")
    assert q4.total == 5
    assert (await store.statement(lawyer.id, 2026, 3)).items == []


# --- manual entries and reversals -------------------------------------------------------------


async def test_a_manual_entry_records_who_entered_it_and_when(store, lawyer):
    entry = await store.add_entry(lawyer.id, "duty_day", date(2026, 11, 20), STAFF, NOW, note="柯城窗口")
    assert (entry.points, entry.clause, entry.entered_by) == (10, "二(一)3", STAFF)
    assert entry.entered_at == NOW and entry.entered_at.tzinfo is not None
    assert (entry.source_kind, entry.source_id, entry.reverses_id) == (None, None, None)


async def test_deductions_are_negative_and_scale_with_quantity(store, lawyer):
    entry = await store.add_entry(lawyer.id, "late_upload", TODAY, STAFF, NOW, quantity=3)
    assert (entry.points, entry.quantity) == (-6, 3)
    cases = await store.add_entry(lawyer.id, "case", TODAY, STAFF, NOW, quantity=3)
    assert cases.points == 60
    assert await year_total(store, lawyer.id, 2026) == 54


@pytest.mark.parametrize(("people", "cases"), [(3, 2), (9, 2), (10, 3), (12, 3)])
async def test_a_group_case_is_entered_by_its_number_of_people(store, lawyer, people, cases):
    # 4号 二(一)1: "群体性案件10人以下按2件计算,10人以上按三件计算" (10 people: the lawyer's reading, 3).
    entry = await store.add_entry(lawyer.id, "case", TODAY, STAFF, NOW, people=people, note="讨薪")
    assert (entry.quantity, entry.points) == (cases, 20 * cases)


@pytest.mark.parametrize(("key", "people", "quantity"), [("case", 1, 1), ("legal_help", 12, 1), ("case", 12, 2)])
async def test_people_count_only_for_one_group_case_of_two_or_more(store, lawyer, key, people, quantity):
    with pytest.raises(LedgerError):
        await store.add_entry(lawyer.id, key, TODAY, STAFF, NOW, people=people, quantity=quantity)


async def test_nothing_earns_points_before_the_scheme_took_effect(store, lawyer):
    # 4号 四: 本办法自2020年1月20日起开始施行.
    with pytest.raises(LedgerError) as err:
        await store.add_entry(lawyer.id, "case", date(2020, 1, 19), STAFF, NOW)
    assert err.value.text_id == "ledger.error.before_scheme"
    assert (await store.add_entry(lawyer.id, "case", date(2020, 1, 20), STAFF, NOW)).points == 20


async def test_a_counter_entry_nets_to_zero_and_cannot_be_repeated(store, lawyer):
    entry = await store.add_entry(lawyer.id, "case", date(2026, 2, 10), STAFF, NOW)
    counter = await store.reverse(entry.id, STAFF, NOW, "录错律师")
    assert (counter.points, counter.reverses_id, counter.occurred_on) == (-20, entry.id, entry.occurred_on)
    assert (await store.statement(lawyer.id, 2026, 1)).total == 0
    assert len((await store.statement(lawyer.id, 2026, 1)).items) == 2

    with pytest.raises(LedgerError, match="already reversed") as again:
        await store.reverse(entry.id, STAFF, NOW, "再来一次")
    assert again.value.text_id == "ledger.error.already_reversed"
    with pytest.raises(LedgerError, match="itself a reversal"):
        await store.reverse(counter.id, STAFF, NOW, "撤销冲销")
    assert await year_total(store, lawyer.id, 2026) == 0


async def test_a_reversal_needs_a_note(store, lawyer):
    entry = await store.add_entry(lawyer.id, "case", TODAY, STAFF, NOW)
    with pytest.raises(LedgerError):
        await store.reverse(entry.id, STAFF, NOW, "  ")


async def test_a_reversed_automatic_award_is_not_awarded_again(store, lawyer):
    await award(store, lawyer.id, "non_workday_consult", "consultation", "c-1", TODAY, NOW)
    (entry,) = (await store.statement(lawyer.id, 2026)).items
    await store.reverse(entry.id, STAFF, NOW, "工作日解答,不符合二(一)9")
    assert not await award(store, lawyer.id, "non_workday_consult", "consultation", "c-1", TODAY, NOW)
    assert await year_total(store, lawyer.id, 2026) == 0


async def test_the_database_itself_refuses_to_edit_or_delete_ledger_entries(store, db, lawyer):
    entry = await store.add_entry(lawyer.id, "case", TODAY, STAFF, NOW)
    with pytest.raises(IntegrityError, match="never edited"):
        async with db.transaction() as conn:
            await conn.execute("UPDATE ledger SET points = 100 WHERE id = ?", entry.id)
    with pytest.raises(IntegrityError, match="never deleted"):
        async with db.transaction() as conn:
            await conn.execute("DELETE FROM ledger WHERE id = ?", entry.id)
    assert [e.points for e in (await store.statement(lawyer.id, TODAY.year)).items] == [20]


async def test_the_discretionary_item_needs_positive_points_and_a_note(store, lawyer):
    for points, note in ((None, "协助普法"), (15, ""), (0, "协助普法"), (-5, "协助普法")):
        with pytest.raises(LedgerError):
            await store.add_entry(lawyer.id, "other_award", TODAY, STAFF, NOW, note=note, points=points)
    entry = await store.add_entry(
        lawyer.id, "other_award", TODAY, STAFF, NOW, note="重阳节普法活动", points=15
    )
    assert (entry.points, entry.clause, entry.note) == (15, "二(一)12", "重阳节普法活动")


async def test_fixed_items_refuse_explicit_points(store, lawyer):
    with pytest.raises(LedgerError, match="fixed points"):
        await store.add_entry(lawyer.id, "case", TODAY, STAFF, NOW, points=50)


@pytest.mark.parametrize("quantity", [0, -1, True])
async def test_quantity_must_be_a_positive_whole_number(store, lawyer, quantity):
    with pytest.raises(LedgerError):
        await store.add_entry(lawyer.id, "case", TODAY, STAFF, NOW, quantity=quantity)


async def test_entries_take_a_shanghai_date_not_a_datetime_and_not_a_future_day(store, lawyer):
    with pytest.raises(TypeError):
        await store.add_entry(lawyer.id, "case", NOW, STAFF, NOW)
    with pytest.raises(LedgerError):
        await store.add_entry(lawyer.id, "case", TODAY + timedelta(days=1), STAFF, NOW)
    with pytest.raises(ValueError):
        await store.add_entry(lawyer.id, "case", TODAY, STAFF, NOW.replace(tzinfo=None))
    # 00:30 in Shanghai is still the previous day in UTC: the Shanghai day is allowed.
    just_after_midnight = datetime(2026, 11, 26, 16, 30, tzinfo=timezone.utc)
    await store.add_entry(lawyer.id, "case", date(2026, 11, 27), STAFF, just_after_midnight)


# --- vetoes and ratings -----------------------------------------------------------------------


async def test_a_veto_fails_the_year_whatever_the_total_and_reversing_it_restores_the_band(store, lawyer):
    for _ in range(5):
        await store.add_entry(lawyer.id, "case", date(2026, 5, 1), STAFF, NOW)
    assert await rating(store, lawyer.id, 2026) == Rating.EXCELLENT

    veto = await store.add_entry(
        lawyer.id, "lost_materials", date(2026, 6, 1), STAFF, NOW, note="遗失证据原件"
    )
    assert veto.points == 0
    assert await year_total(store, lawyer.id, 2026) == 100
    assert (await store.statement(lawyer.id, 2026)).vetoed
    assert await rating(store, lawyer.id, 2026) == Rating.FAIL
    assert not (await store.statement(lawyer.id, 2025)).vetoed

    await store.reverse(veto.id, STAFF, NOW, "复核后查明材料未遗失")
    assert not (await store.statement(lawyer.id, 2026)).vetoed
    assert await rating(store, lawyer.id, 2026) == Rating.EXCELLENT


async def test_a_veto_is_recorded_once_without_points_and_with_a_note(store, lawyer):
    with pytest.raises(LedgerError):
        await store.add_entry(lawyer.id, "refused_case", TODAY, STAFF, NOW, note="拒绝承办", points=10)
    with pytest.raises(LedgerError):
        await store.add_entry(lawyer.id, "refused_case", TODAY, STAFF, NOW)
    with pytest.raises(LedgerError):
        await store.add_entry(lawyer.id, "refused_case", TODAY, STAFF, NOW, note="拒绝承办", quantity=2)


@pytest.mark.parametrize(
    "total, expected",
    [
        (59, Rating.FAIL),
        (60, Rating.PASS),
        (70, Rating.PASS),
        (75, Rating.PASS),
        (79, Rating.PASS),
        (80, Rating.GOOD),
        (89, Rating.GOOD),
        (90, Rating.EXCELLENT),
        (91, Rating.EXCELLENT),
    ],
)
async def test_rating_edges_through_the_store(store, lawyer, total, expected):
    # Built the way a year really adds up: cases, then a deduction or a discretionary award.
    cases, rest = divmod(total + 1, 20)
    await store.add_entry(lawyer.id, "case", date(2026, 3, 1), STAFF, NOW, quantity=cases)
    await store.add_entry(lawyer.id, "hearing_not_notified", date(2026, 3, 2), STAFF, NOW)
    if rest:
        await store.add_entry(lawyer.id, "other_award", date(2026, 3, 3), STAFF, NOW, points=rest, note="表彰")
    assert await year_total(store, lawyer.id, 2026) == total
    assert await rating(store, lawyer.id, 2026) == expected
    assert await rating(store, lawyer.id, 2027) == Rating.FAIL


async def test_rating_uses_the_bands_it_is_given(store, lawyer):
    await store.add_entry(lawyer.id, "case", date(2026, 3, 1), STAFF, NOW, quantity=4)
    assert await rating(store, lawyer.id, 2026) == Rating.GOOD
    assert await rating(store, lawyer.id, 2026, Bands(60, 70, 80)) == Rating.EXCELLENT


# --- periods ----------------------------------------------------------------------------------


async def test_31_march_is_in_the_first_quarter_and_1_april_in_the_second(store, lawyer):
    await store.add_entry(lawyer.id, "case", date(2026, 3, 31), STAFF, NOW)
    await store.add_entry(lawyer.id, "document", date(2026, 4, 1), STAFF, NOW)
    q1, q2 = await store.statement(lawyer.id, 2026, 1), await store.statement(lawyer.id, 2026, 2)
    assert [(i.occurred_on, i.points) for i in q1.items] == [(date(2026, 3, 31), 20)]
    assert [(i.occurred_on, i.points) for i in q2.items] == [(date(2026, 4, 1), 5)]
    assert (await store.statement(lawyer.id, 2026)).total == 25


async def test_31_december_and_1_january_fall_in_different_years(store, lawyer):
    later = datetime(2027, 1, 5, tzinfo=SHANGHAI)
    await store.add_entry(lawyer.id, "case", date(2026, 12, 31), STAFF, later)
    await store.add_entry(lawyer.id, "document", date(2027, 1, 1), STAFF, later)
    assert (await year_total(store, lawyer.id, 2026), await year_total(store, lawyer.id, 2027)) == (20, 5)
    assert (await store.statement(lawyer.id, 2026, 4)).total == 20
    assert (await store.statement(lawyer.id, 2027, 1)).total == 5


@pytest.mark.parametrize("quarter", [0, 5])
async def test_a_quarter_is_one_to_four(store, lawyer, quarter):
    with pytest.raises(LedgerError):
        await store.statement(lawyer.id, 2026, quarter)


# --- 二(一)9 on a non-working day only ---------------------------------------------------------


async def test_a_manual_online_answer_entry_on_a_working_day_is_refused(store, lawyer):
    """4号 二(一)9 "非工作日解答微信小程序或网络法律咨询的,每件得5分": a Wednesday earns nothing."""
    with pytest.raises(LedgerError) as err:
        await store.add_entry(lawyer.id, "non_workday_consult", date(2026, 11, 4), STAFF, NOW)
    assert err.value.text_id == "ledger.error.consult_on_workday"
    saturday = await store.add_entry(lawyer.id, "non_workday_consult", date(2026, 11, 7), STAFF, NOW)
    assert saturday.points == 5


async def test_a_make_up_working_saturday_is_a_working_day_for_the_online_answer_item(store, lawyer):
    # 2026-10-10 (Saturday) is a 调休 working day after National Day; 2026-10-05 (Monday) is a holiday.
    with pytest.raises(LedgerError):
        await store.add_entry(lawyer.id, "non_workday_consult", date(2026, 10, 10), STAFF, NOW, cal=WorkCalendar())
    holiday = await store.add_entry(lawyer.id, "non_workday_consult", date(2026, 10, 5), STAFF, NOW,
                                    cal=WorkCalendar())
    assert holiday.points == 5


# --- corrections (二(四)) ---------------------------------------------------------------------

DISCOVERED = date(2026, 4, 3)  # deadline: 3 April + 5 days = 8 April
IN_TIME = datetime(2026, 4, 4, 9, 0, tzinfo=SHANGHAI)


async def test_a_correction_on_the_last_allowed_day_is_accepted_and_the_next_day_refused(store, lawyer):
    last_minute = datetime(2026, 4, 8, 23, 59, tzinfo=SHANGHAI)
    filed = await store.file_correction(lawyer.id, 2026, 1, "3月12日值班未计分", DISCOVERED, last_minute)
    assert (filed.status, filed.deadline) == (Decision.PENDING, date(2026, 4, 8))

    next_day = datetime(2026, 4, 9, 0, 0, tzinfo=SHANGHAI)
    with pytest.raises(LedgerError) as err:
        await store.file_correction(lawyer.id, 2026, 1, "3月12日值班未计分", DISCOVERED, next_day)
    assert err.value.text_id == "ledger.error.correction_too_late"
    assert err.value.fields["deadline"] == date(2026, 4, 8)


async def test_the_correction_deadline_is_counted_in_shanghai_time(store, lawyer):
    # 16:30 UTC on 8 April is already 00:30 on 9 April in Quzhou.
    with pytest.raises(LedgerError):
        await store.file_correction(
            lawyer.id, 2026, 1, "遗漏", DISCOVERED, datetime(2026, 4, 8, 16, 30, tzinfo=timezone.utc)
        )


async def test_a_correction_deadline_on_a_holiday_moves_to_the_next_working_day_with_a_calendar(store, lawyer):
    discovered = date(2026, 9, 28)  # +5 days is 3 October, inside the National Day holiday
    on_8_october = datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI)
    with pytest.raises(LedgerError):
        await store.file_correction(lawyer.id, 2026, 3, "遗漏", discovered, on_8_october)
    filed = await store.file_correction(lawyer.id, 2026, 3, "遗漏", discovered, on_8_october, cal=WorkCalendar())
    assert filed.deadline == date(2026, 10, 8)


async def test_the_five_days_run_from_the_discovery_day_not_from_the_statement(store, lawyer):
    """4号 二(四) "统计有遗漏的,应在发现之日起5日内提出": a Q1 omission found in November is in time."""
    found = date(2026, 11, 18)
    filed = await store.file_correction(lawyer.id, 2026, 1, "3月12日值班未计分", found,
                                        datetime(2026, 11, 20, 10, 0, tzinfo=SHANGHAI))
    assert (filed.discovered_on, filed.deadline) == (found, date(2026, 11, 23))
    with pytest.raises(LedgerError) as err:
        await store.file_correction(lawyer.id, 2026, 1, "遗漏", date(2026, 11, 21), datetime(2026, 11, 20, 10, 0,
                                                                                          tzinfo=SHANGHAI))
    assert err.value.text_id == "ledger.error.future_date"


async def test_deciding_a_correction_needs_a_reason_and_happens_once(store, lawyer):
    filed = await store.file_correction(lawyer.id, 2026, 1, "遗漏一件援前调解", DISCOVERED, IN_TIME)
    for reason in ("", "   "):
        with pytest.raises(LedgerError) as err:
            await store.decide_correction(filed.id, True, reason, STAFF, NOW)
        assert err.value.text_id == "ledger.error.reason_required"
    decided = await store.decide_correction(filed.id, True, "经核对属实,已追加", STAFF, NOW)
    assert (decided.status, decided.reason) == (Decision.ACCEPTED, "经核对属实,已追加")
    assert decided.decided_by == STAFF
    with pytest.raises(LedgerError):
        await store.decide_correction(filed.id, False, "改主意", STAFF, NOW)
    assert await store.list_corrections("pending") == []
    assert [c.id for c in await store.list_corrections("accepted")] == [filed.id]
    assert [c.id for c in await store.list_corrections()] == [filed.id]


async def test_a_decided_correction_cannot_be_changed_in_the_database(store, db, lawyer):
    filed = await store.file_correction(lawyer.id, 2026, 1, "遗漏", DISCOVERED, IN_TIME)
    await store.decide_correction(filed.id, False, "该案不在本季度", STAFF, NOW)
    with pytest.raises(IntegrityError, match="already been decided"):
        async with db.transaction() as conn:
            await conn.execute("UPDATE corrections SET status = 'accepted' WHERE id = ?", filed.id)


# --- the ranking (二(五)) ---------------------------------------------------------------------


async def test_report_ranks_by_total_with_shared_ranks_and_ties_in_pinyin_order(store):
    zhao, _ = await store.add_lawyer("赵六", "甲所", NOW)
    an, _ = await store.add_lawyer("安七", "乙所", NOW)
    qian, _ = await store.add_lawyer("钱八", "丙所", NOW)
    for who in (zhao, an):
        await store.add_entry(who.id, "case", date(2026, 6, 1), STAFF, NOW, quantity=3)
    await store.add_entry(qian.id, "case", date(2026, 6, 1), STAFF, NOW, quantity=5)
    await store.add_entry(qian.id, "harmed_client", date(2026, 7, 1), STAFF, NOW, note="查证属实")

    rows = await store.report(2026)
    # 二(三) 一票否决,当年年度法律援助考核为不合格: 100 points and a veto rank below 60 points rated 合格.
    assert [(r.rank, r.name, r.total, r.rating, r.vetoed) for r in rows] == [
        (1, "安七", 60, Rating.PASS, False),
        (1, "赵六", 60, Rating.PASS, False),
        (3, "钱八", 100, Rating.FAIL, True),
    ]
    q2 = await store.report(2026, 2)
    assert [(r.name, r.total, r.rating) for r in q2] == [
        ("安七", 60, None),
        ("赵六", 60, None),
        ("钱八", 100, None),
    ]
    assert q2[-1].vetoed  # the veto (3rd quarter) fails the whole year


# 二(一)9 has its own day rule (tested above); the sums hold for every other fixed item.
FIXED_KEYS = [i.key for i in AWARDS + DEDUCTIONS if i.points is not None and i.key != "non_workday_consult"]

entry_lists = st.lists(
    st.tuples(
        st.integers(0, 2),  # which lawyer
        st.sampled_from(FIXED_KEYS),
        st.integers(1, 3),  # quantity
        st.dates(date(2025, 12, 25), date(2027, 1, 5)),
        st.booleans(),  # reversed?
    ),
    max_size=25,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entries=entry_lists, quarter=st.sampled_from([None, 1, 2, 3, 4]))
def test_report_totals_equal_the_sum_of_each_lawyers_entries_for_the_period(entries, quarter):
    later = datetime(2027, 2, 1, tzinfo=SHANGHAI)

    def in_period(d: date) -> bool:
        return d.year == 2026 and (quarter is None or (d.month - 1) // 3 + 1 == quarter)

    async def run() -> None:
        database = SQLiteDatabase(":memory:")
        await database.open()
        try:
            store = LedgerStore(database, SHANGHAI)
            lawyers = [(await store.add_lawyer(f"律师{i}", "所", NOW))[0] for i in range(3)]
            expected = {l.id: 0 for l in lawyers}
            for who, key, quantity, day, undo in entries:
                entry = await store.add_entry(lawyers[who].id, key, day, STAFF, later, quantity=quantity)
                if undo:
                    await store.reverse(entry.id, STAFF, later, "录错")
                elif in_period(day):
                    expected[lawyers[who].id] += signed_points(key) * quantity
            rows = await store.report(2026, quarter)
            assert {r.lawyer_id: r.total for r in rows} == expected
            totals = [r.total for r in rows]
            assert totals == sorted(totals, reverse=True)
            for row in rows:
                assert row.rank == 1 + sum(t > row.total for t in totals)
                statement = await store.statement(row.lawyer_id, 2026, quarter)
                assert statement.total == row.total == sum(i.points for i in statement.items)
        finally:
            await database.close()

    asyncio.run(run())
