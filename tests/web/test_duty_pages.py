"""The 值班表 in the console: staff keep it on 律师 for anyone, a lawyer puts themself down or takes
themself off on 我的留言 (4号 一(三) 自主报名) and no one else, and 今天 says who is on duty."""

from __future__ import annotations

from datetime import date

from services.wording import day_label
from tests.web.conftest import queued_for

SATURDAY, SUNDAY = date(2026, 11, 28), date(2026, 11, 29)  # the clock's Thursday is 2026-11-26


async def test_staff_put_a_lawyer_on_a_saturday_and_the_page_shows_who_added_it(rt, staff, people):
    t = rt.services.texts
    await staff.get("/lawyers")
    assert t("duty.web.title") in staff.last and t("duty.web.nobody") in staff.last
    assert day_label(t, SATURDAY) in staff.last and day_label(t, date(2026, 11, 27)) not in staff.last
    response = await staff.post("/lawyers/duty/add", {"day": SATURDAY.isoformat(), "lawyer": str(people.lawyer_id)})
    assert (response.status, response.headers["Location"]) == (303, "/lawyers?result=added")
    [entry] = await rt.services.roster.between(SATURDAY, SATURDAY)
    await staff.get(response.headers["Location"])
    assert t("duty.web.result.added") in staff.last
    assert t("duty.web.added", by=entry.added_by, at="2026-11-26 10:00") in staff.last
    assert [r["text"] for r in await queued_for(rt, "telegram", "501")] == [
        t("duty.added_for_you", day=day_label(t, SATURDAY))]
    await staff.get("/")
    assert t("duty.web.next_day", day=day_label(t, SATURDAY), names="王律师") in staff.last
    assert t("duty.web.today_switch", names="王律师") in staff.last  # Thursday: the switch decides
    response = await staff.post("/lawyers/duty/remove", {"day": SATURDAY.isoformat(), "lawyer": str(people.lawyer_id)})
    assert response.headers["Location"] == "/lawyers?result=removed"
    assert await rt.services.roster.between(SATURDAY, SATURDAY) == []


async def test_a_working_day_is_refused_with_the_reason(rt, staff, people):
    friday = date(2026, 11, 27)
    response = await staff.post("/lawyers/duty/add", {"day": friday.isoformat(), "lawyer": str(people.lawyer_id)})
    t = rt.services.texts
    assert response.status == 400 and t("duty.error.working_day", day=day_label(t, friday)) in staff.last


async def test_a_lawyer_signs_up_for_a_day_and_off_it_but_cannot_touch_another_lawyer(rt, lawyer, people):
    t = rt.services.texts
    other, _ = await rt.services.ledger.add_lawyer("李律师", "某所", rt.now())
    await lawyer.get("/my/questions")
    assert t("duty.web.mine_none") in lawyer.last and t("duty.web.sign_up") in lawyer.last
    # The form names no lawyer: whatever is sent, the entry is the signed-in lawyer's own.
    response = await lawyer.post("/my/duty/add", {"day": SUNDAY.isoformat(), "lawyer": str(other.id)})
    assert response.headers["Location"] == "/my/questions?result=added"
    assert [(e.day, e.lawyer_id, e.added_by) for e in await rt.services.roster.between(SATURDAY, SUNDAY)] == [
        (SUNDAY, people.lawyer_id, "web:wang")]
    await lawyer.get("/my/questions")
    assert t("duty.my_days", days=day_label(t, SUNDAY)) in lawyer.last
    theirs = {"day": SATURDAY.isoformat(), "lawyer": str(other.id)}
    assert (await lawyer.post("/lawyers/duty/add", theirs)).status == 403
    await rt.services.roster.add(SATURDAY, other.id, "staff", rt.now())
    assert (await lawyer.post("/lawyers/duty/remove", theirs)).status == 403
    assert len(await rt.services.roster.between(SATURDAY, SATURDAY)) == 1
    response = await lawyer.post("/my/duty/remove", {"day": SUNDAY.isoformat()})
    assert response.headers["Location"] == "/my/questions?result=removed"
    assert [e.lawyer_id for e in await rt.services.roster.between(SATURDAY, SUNDAY)] == [other.id]
