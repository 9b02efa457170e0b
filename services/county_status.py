"""The county status table (3号 二 有条件的县(市、区)) as staff keep it on the web console; the
check and the answers read it at once (storage/counties.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from policy.county_status import County, CountyMeasures, CountyStatus
from services.actor import Actor, Role, require
from services.context import Services


@dataclass(frozen=True)
class CountyRow:
    measures: CountyMeasures
    by: str | None  # who recorded it last; None: nobody yet (unconfirmed)
    at: datetime | None


async def table(services: Services, actor: Actor) -> list[CountyRow]:
    require(actor, "read the county status table", Role.STAFF)
    recorded = await services.counties.recorded()
    rows = []
    for county, measures in (await services.counties.all()).items():
        by, at = recorded.get(county, (None, None))
        rows.append(CountyRow(measures, by, at))
    return rows


async def record(services: Services, actor: Actor, county: County, status: CountyStatus, since: date | None,
                 source: str, now: datetime) -> CountyMeasures:
    """What a county does, with where staff read it: a status without a source is refused."""
    require(actor, "record a county's status", Role.STAFF)
    if not source.strip():
        raise ValueError("a county's status needs its source")
    return await services.counties.set(county, status, since, source, actor.name, now)
