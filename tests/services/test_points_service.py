"""The ledger through the service layer: group cases, corrections and their notices."""

from __future__ import annotations

from datetime import date

from common.messages import Address
from services import points
from services.actor import SYSTEM
from storage.outbox import Topic, outbox_key
from tests.services.conftest import STAFF_CHAT


async def test_a_group_case_of_twelve_people_counts_as_three_cases(rt, staff, lawyer):
    # 4号 二(一)1: "群体性案件10人以下按2件计算,10人以上按三件计算".
    entry = await points.add_entry(rt.services, staff, lawyer.lawyer.id, "case", date(2026, 11, 2), rt.now(),
                                   note="讨薪", people=12)
    assert (entry.quantity, entry.points, entry.entered_by) == (3, 60, staff.name)


async def test_a_decided_correction_tells_the_lawyer_on_their_own_channel(rt, staff, lawyer, clock):
    filed = await points.file_correction(rt.services, lawyer, 2026, 4, "11月2日值班漏记", rt.now().date(), rt.now())
    [to_staff] = filed.notices
    assert Address(to_staff.channel, to_staff.user_id) == Address("telegram", str(STAFF_CHAT))
    assert to_staff.dedupe_key == outbox_key(Topic.CORRECTION_FILED, filed.value.id)
    decided = await points.decide_correction(rt.services, staff, filed.value.id, True, "已补录", rt.now())
    [to_lawyer] = decided.notices
    assert (to_lawyer.channel, to_lawyer.user_id) == ("telegram", "501")
    assert to_lawyer.reply.text.startswith(rt.services.texts("lawyer.correction_decided", year=2026, quarter=4,
                                                             decision=rt.services.texts("staff.decision.accepted"),
                                                             reason="已补录"))


async def test_the_quarterly_statement_goes_once_to_each_bound_lawyer(rt, lawyer, clock):
    clock.now = clock.now.replace(year=2027, month=1, day=4)
    first = await points.quarterly_statements(rt.services, SYSTEM, rt.now())
    assert [n.dedupe_key for n in first.notices] == [points.statement_key(lawyer.lawyer.id, 2026, 4)]
    for notice in first.notices:
        await rt.services.store.enqueue(notice, rt.now())
    assert (await points.quarterly_statements(rt.services, SYSTEM, rt.now())).notices == []
