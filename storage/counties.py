"""The county status table (policy/county_status.py): read by the check and the answers, kept by staff."""

from __future__ import annotations

from datetime import date, datetime

from policy.county_status import CountyMeasures, CountyStatus
from policy.eligibility import County
from storage.db import Database, stored_time


class CountyStore:
    def __init__(self, db: Database):
        self.db = db

    async def all(self) -> dict[County, CountyMeasures]:
        """Every county; those staff have not recorded are UNCONFIRMED."""
        rows = {r["county"]: r for r in await self.db.fetchall("SELECT county, status, since, source FROM county_status")}
        return {c: _measures(c, rows.get(c.value)) for c in County}

    async def recorded(self) -> dict[County, tuple[str, datetime]]:
        """Who last recorded each county's status, and when (counties nobody recorded are absent)."""
        rows = await self.db.fetchall("SELECT county, updated_by, updated_at FROM county_status")
        return {County(r["county"]): (r["updated_by"], datetime.fromisoformat(r["updated_at"])) for r in rows}

    async def get(self, county: County) -> CountyMeasures:
        return (await self.all())[county]

    async def set(self, county: County, status: CountyStatus, since: date | None, source: str,
                  by: str, now: datetime) -> CountyMeasures:
        async with self.db.transaction() as conn:
            await conn.execute(
                "INSERT INTO county_status (county, status, since, source, updated_by, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (county) DO UPDATE SET status = excluded.status,"
                " since = excluded.since, source = excluded.source, updated_by = excluded.updated_by,"
                " updated_at = excluded.updated_at",
                county.value, status.value, since and since.isoformat(), source.strip(), by, stored_time(now),
            )
        return CountyMeasures(county, status, since, source.strip())


def _measures(county: County, row) -> CountyMeasures:
    if row is None:
        return CountyMeasures(county)
    since = date.fromisoformat(row["since"]) if row["since"] else None
    return CountyMeasures(county, CountyStatus(row["status"]), since, row["source"])
