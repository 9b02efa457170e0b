"""File exports for staff: CSV, Excel and JSON from a header row and data rows.

The functions know nothing of Chinese: column headers (and any other words) come
from the text catalog through the caller, so wording changes stay in common/texts.yaml.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import unicodedata
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

CSV_MIME = "text/csv"
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_MIME = "application/json"
FORMATS = ("csv", "xlsx", "json")

UTF8_BOM = "\ufeff"
# Excel runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\]")
_MAX_COLUMN_WIDTH = 60


def write_private(path: Path, content: bytes) -> None:
    """Write an export readable by its owner only (0600, even over an existing 0644 file): exports
    hold names, phones and addresses. A link in its place is refused rather than followed."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as out:
        os.fchmod(out.fileno(), 0o600)
        out.write(content)


def to_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM (so Excel reads Chinese correctly), \\r\\n line ends, formulas defused."""
    _check_shape(headers, rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_csv_cell(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_cell(v) for v in row])
    return (UTF8_BOM + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: Sequence[str], rows: Sequence[Sequence[Any]], sheet_title: str) -> bytes:
    """One worksheet: bold, frozen header row and columns wide enough for their text."""
    _check_shape(headers, rows)
    # Imported here: openpyxl costs ~16 MB of memory, and only exports need it.
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = _sheet_title(sheet_title)
    bold = Font(bold=True)
    widths = [_display_width(h) for h in headers]
    for col, header in enumerate(headers, start=1):
        cell = sheet.cell(row=1, column=col)
        _set_xlsx_value(cell, str(header))
        cell.font = bold
    for r, row in enumerate(rows, start=2):
        for col, value in enumerate(row, start=1):
            cell = sheet.cell(row=r, column=col)
            _set_xlsx_value(cell, _plain(value))
            widths[col - 1] = max(widths[col - 1], _display_width(value))
    for col, width in enumerate(widths, start=1):
        letter = sheet.cell(row=1, column=col).column_letter
        sheet.column_dimensions[letter].width = min(width + 2, _MAX_COLUMN_WIDTH)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_json(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """A list of objects keyed by header, UTF-8, Chinese left readable (ensure_ascii=False)."""
    _check_shape(headers, rows)
    if len(set(headers)) != len(headers):
        raise ValueError(f"JSON keys must be distinct, got headers {list(headers)}")
    objects = [{str(h): _json_value(v) for h, v in zip(headers, row)} for row in rows]
    return json.dumps(objects, ensure_ascii=False, indent=1).encode("utf-8")


# --- helpers ------------------------------------------------------------------------------------


def _check_shape(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    for i, row in enumerate(rows, start=1):
        if len(row) != len(headers):
            raise ValueError(f"row {i} has {len(row)} cells, but there are {len(headers)} headers")


def _plain(value: Any) -> Any:
    """Enums as their value; everything else as is."""
    return value.value if isinstance(value, Enum) else value


def _text(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def _csv_cell(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value  # numbers, negative ones included, are data, not formulas
    text = _text(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _set_xlsx_value(cell: Any, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, str):
        cell.value = value
        # openpyxl stores a string starting with "=" as a formula; keep it as text.
        cell.data_type = "s"
    elif isinstance(value, (bool, int, float, date, datetime)):
        cell.value = value
    else:
        cell.value = str(value)
        cell.data_type = "s"


def _json_value(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _display_width(value: Any) -> int:
    # CJK characters take two columns in Excel's default fonts.
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in _text(value))


def _sheet_title(title: str) -> str:
    # Excel forbids []:*?/\ in sheet names and cuts them at 31 characters.
    cleaned = _SHEET_TITLE_BAD.sub("_", title or "").strip("'")
    return cleaned[:31] or "Sheet1"
