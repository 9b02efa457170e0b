"""County status (3号 二: 有条件的县(市、区)): unconfirmed until staff record it, then as recorded."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from policy.county_status import CountyStatus
from policy.eligibility import County
from storage.counties import CountyStore

AT = datetime(2026, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


async def test_every_county_is_unconfirmed_until_staff_record_it_then_as_recorded(db):
    store = CountyStore(db)
    assert {m.status for m in (await store.all()).values()} == {CountyStatus.UNCONFIRMED}
    await store.set(County.KAIHUA, CountyStatus.APPLIES, date(2020, 3, 1), " 开化县司法局通知 ", "staff:1", AT)
    kaihua = await store.get(County.KAIHUA)
    assert (kaihua.status, kaihua.since, kaihua.source) == (CountyStatus.APPLIES, date(2020, 3, 1), "开化县司法局通知")
    await store.set(County.KAIHUA, CountyStatus.NOT_APPLIED, None, "", "staff:2", AT)
    assert (await store.get(County.KAIHUA)).status is CountyStatus.NOT_APPLIED
    assert (await store.get(County.LONGYOU)).status is CountyStatus.UNCONFIRMED
