"""The staff files built from the ledger and the bookings: the 二(五) ranking and the bookings list.

Column headers come from the catalog (report.*), so the same files serve the CLI, the chat and the web console.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from common.exports import (
    CSV_MIME,
    FORMATS,
    JSON_MIME,
    XLSX_MIME,
    to_csv,
    to_json,
    to_xlsx,
)
from policy.points import Bands

if TYPE_CHECKING:
    from storage.bookings import ExportRow
    from storage.ledger import LedgerStore


async def points_report_file(
    store: LedgerStore,
    year: int,
    quarter: int | None,
    fmt: str,
    headers: Sequence[str],
    vetoed_mark: str = "✓",
    bands: Bands = Bands(),
) -> tuple[str, bytes, str]:
    """The 二(五) ranking as a file: (filename, content, MIME type).

    `headers` label the six columns rank, lawyer, firm, points, rating, veto (catalog
    ids report.points.*); a vetoed lawyer's veto cell shows `vetoed_mark` (the catalog's
    report.points.vetoed_yes), others stay empty. Quarterly reports have no rating.
    """
    if fmt not in FORMATS:
        raise ValueError(f"export format must be one of {FORMATS}, got {fmt!r}")
    if len(headers) != 6:
        raise ValueError(f"the points report has 6 columns, got {len(headers)} headers")
    report = await store.report(year, quarter, bands)
    rows = [
        [
            row.rank,
            row.name,
            row.firm,
            row.total,
            row.rating.value if row.rating is not None else "",
            vetoed_mark if row.vetoed else "",
        ]
        for row in report
    ]
    period = f"{year}" if quarter is None else f"{year}-Q{quarter}"
    # ASCII file names: some chat clients mangle non-ASCII attachment names.
    filename = f"points-{period}.{fmt}"
    if fmt == "csv":
        return filename, to_csv(headers, rows), CSV_MIME
    if fmt == "xlsx":
        return filename, to_xlsx(headers, rows, period), XLSX_MIME
    return filename, to_json(headers, rows), JSON_MIME


# Column keys of the staff exports; their headers are the catalog's report.* texts.
REPORT_COLUMNS = ("rank", "lawyer", "firm", "total", "rating", "vetoed")
STATEMENT_COLUMNS = ("occurred_on", "clause", "title", "quantity", "points", "note")
BOOKING_COLUMNS = (
    "ref", "county", "township", "visit_date", "window", "status", "elder_name", "phone",
    "phone_owner", "address", "access_needs", "matter", "visitor", "lawyer_name", "lawyer_firm",
)


def _visitor(row: ExportRow, t) -> str:
    """Who goes, with their role: the lawyer, or the member of staff sent instead (empty: nobody yet)."""
    if row.lawyer_name is not None:
        return t("report.visitor.lawyer", name=row.lawyer_name)
    if row.staff_name is not None:
        return t("report.visitor.staff", name=row.staff_name)
    return ""


def bookings_file(rows: list[ExportRow], fmt: str, t) -> bytes:
    """Bookings as CSV (UTF-8 with BOM) or xlsx, headed in Chinese from the catalog."""
    headers = [t(f"report.bookings.{c}") for c in BOOKING_COLUMNS]
    data = []
    for row in rows:
        b = row.booking
        values = vars(b) | {
            "lawyer_name": row.lawyer_name,
            "lawyer_firm": row.lawyer_firm,
            "visitor": _visitor(row, t),
            "status": t(f"book.status.{b.status}"),
            "phone_owner": t(f"book.phone_{b.phone_owner}"),
        }
        data.append([v.isoformat() if isinstance(v, date) else v for v in (values[c] for c in BOOKING_COLUMNS)])
    return to_csv(headers, data) if fmt == "csv" else to_xlsx(headers, data, "bookings")
