"""Home visits as staff work them through the service layer."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timedelta

import openpyxl
import pytest

from common.messages import Address
from services import accounts, visits
from services.actor import Actor
from services.wording import day_label, window_label
from storage.bookings import BookingDraft, Change
from storage.outbox import Topic, outbox_key
from storage.users import WebRole
from tests.conftest import SHANGHAI


async def book(rt, county="柯城区", user="elder-1") -> str:
    day = date(2026, 11, 30)
    draft = BookingDraft("console", user, county, day, "am", "张三", "13812345678", "self", "府山街道",
                         "某路1号", "立遗嘱", rt.now())
    created = await rt.services.bookings.create(draft, 2, f"req-{user}", rt.now(), {})
    return created.booking.ref


async def test_assigning_a_lawyer_tells_them_the_visit_about_the_resident(rt, staff, lawyer):
    ref = await book(rt)
    done = await visits.assign_lawyer(rt.services, staff, ref, lawyer.lawyer.id, rt.now())
    assert done.value.status == Change.ASSIGNED
    [notice] = done.notices
    assert (notice.channel, notice.user_id, notice.about) == ("telegram", "501", Address("console", "elder-1"))
    assert notice.dedupe_key == outbox_key(Topic.ASSIGNED, ref, lawyer.lawyer.id)


async def test_completing_a_visit_awards_ten_points_once(rt, staff, lawyer, clock):
    ref = await book(rt)
    await visits.assign_lawyer(rt.services, staff, ref, lawyer.lawyer.id, rt.now())
    clock.now = datetime(2026, 11, 30, 16, 0, tzinfo=SHANGHAI)
    assert (await visits.complete(rt.services, staff, ref, rt.now())).status == Change.VISITED
    assert (await visits.complete(rt.services, staff, ref, rt.now())).status == Change.ALREADY_VISITED
    statement = await rt.services.ledger.statement(lawyer.lawyer.id, 2026, 4)
    assert [(e.clause, e.points) for e in statement.items] == [("二(一)4", 10)]


async def test_a_visit_in_a_county_arranged_through_the_centre_earns_the_activity_points(rt, staff, lawyer, clock):
    """4号 二(一)4 "配合市法律援助中心组织各类活动,提供法律咨询、上门服务的,每次得10分": every visit booked here
    is organised by the city centre, which assigns the lawyer, so a visit in 江山市 counts as one in 柯城区."""
    ref = await book(rt, county="江山市")
    await visits.assign_lawyer(rt.services, staff, ref, lawyer.lawyer.id, rt.now())
    clock.now = datetime(2026, 11, 30, 16, 0, tzinfo=SHANGHAI)
    await visits.complete(rt.services, staff, ref, rt.now())
    statement = await rt.services.ledger.statement(lawyer.lawyer.id, 2026, 4)
    assert [(e.clause, e.points) for e in statement.items] == [("二(一)4", 10)]


async def test_reading_a_visit_and_exporting_are_logged(rt, staff):
    ref = await book(rt)
    booking, lawyer = await visits.detail(rt.services, staff, ref, rt.now())
    assert (booking.phone, lawyer) == ("13812345678", None)
    export = await visits.export(rt.services, staff, date(2026, 11, 30), date(2026, 11, 30) + timedelta(days=1),
                                 "csv", rt.now())
    assert export.count == 1 and export.document.filename.endswith(".csv")
    rows = [tuple(r) for r in await rt.db.fetchall("SELECT actor, action FROM access_log ORDER BY id")]
    assert rows == [(staff.name, "booking.details"), (staff.name, "bookings.export")]


async def test_staff_cancel_a_visit_with_a_reason_the_resident_reads(rt, staff, lawyer):
    ref = await book(rt)
    await visits.assign_lawyer(rt.services, staff, ref, lawyer.lawyer.id, rt.now())
    done = await visits.cancel(rt.services, staff, ref, "律师生病，请改约", rt.now())
    assert done.value.status == Change.CANCELLED
    to_resident, to_lawyer = done.notices
    assert (to_resident.channel, to_resident.user_id, to_resident.about) == ("console", "elder-1",
                                                                             Address("console", "elder-1"))
    t, b = rt.services.texts, done.value.booking
    assert to_resident.reply.text == t("staff.visit_cancelled_resident", ref=ref, day=day_label(t, b.visit_date),
                                       window=window_label(t, rt.services.settings.slot_rules, b.window),
                                       reason="律师生病，请改约")
    assert (to_lawyer.channel, to_lawyer.user_id) == ("telegram", "501")
    again = await visits.cancel(rt.services, staff, ref, "再取消", rt.now())
    assert (again.value.status, again.notices) == (Change.ALREADY_CANCELLED, [])


async def test_staff_move_a_visit_and_the_resident_is_told(rt, staff):
    ref = await book(rt)
    done = await visits.move(rt.services, staff, ref, date(2026, 12, 1), "pm", rt.now())
    assert done.value.status == Change.MOVED
    assert (done.value.booking.visit_date, done.value.booking.window) == (date(2026, 12, 1), "pm")
    [to_resident] = done.notices  # no lawyer assigned yet
    assert to_resident.about == Address("console", "elder-1")
    assert (await visits.move(rt.services, staff, ref, date(2026, 12, 1), "evening", rt.now())).notices == []


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def _xlsx_rows(content: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize(("fmt", "read"), [("csv", _csv_rows), ("xlsx", _xlsx_rows)])
async def test_the_export_names_who_goes_lawyer_or_staff_with_their_role(rt, staff, lawyer, fmt, read):
    by_lawyer, by_staff, nobody = [await book(rt, county, county) for county in ("柯城区", "江山市", "常山县")]
    await visits.assign_lawyer(rt.services, staff, by_lawyer, lawyer.lawyer.id, rt.now())
    member = await accounts.add_user(rt.services, Actor.staff("cli"), "李芳", WebRole.STAFF, None, "password-123",
                                     rt.now())
    await visits.assign_staff(rt.services, staff, by_staff, member.id, rt.now())
    export = await visits.export(rt.services, staff, date(2026, 11, 30), date(2026, 11, 30), fmt, rt.now())
    t = rt.services.texts
    header, *rows = read(export.document.content)
    column = header.index(t("report.bookings.visitor"))
    went = {row[header.index(t("report.bookings.ref"))]: row[column] for row in rows}
    assert went == {by_lawyer: t("report.visitor.lawyer", name="王律师"),
                    by_staff: t("report.visitor.staff", name="李芳"), nobody: ""}
    assert "李芳（工作人员）" in went.values() and "王律师（律师）" in went.values()
