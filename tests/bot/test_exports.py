"""Staff exports: CSV that Excel opens with Chinese intact, real xlsx, JSON, and the points ranking file."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from common.exports import CSV_MIME, JSON_MIME, XLSX_MIME, to_csv, to_json, to_xlsx
from services.reports import points_report_file
from policy.points import Rating
from storage.sqlite import SQLiteDatabase
from storage.ledger import LedgerStore

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 26, 10, 0, tzinfo=SHANGHAI)
HEADERS = ["名次", "律师", "律所", "积分", "等级", "一票否决"]
ROWS = [
    [1, "钱八", "衢州正言律师事务所", 100, "优秀", ""],
    [2, "安七", "浙江衢州律师事务所, 柯城分所", -3, "不合格", "是"],
    [3, '赵"六"', "甲所\n二部", 0, "", ""],
]


def test_csv_starts_with_the_utf8_bom_uses_crlf_and_round_trips():
    data = to_csv(HEADERS, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.split(b"\r\n")[0].decode("utf-8-sig") == ",".join(HEADERS)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed == [HEADERS] + [[str(v) for v in row] for row in ROWS]


def test_csv_defuses_text_that_excel_would_run_as_a_formula():
    data = to_csv(["律师", "积分"], [["=HYPERLINK(\"http://x\")", -2], ["@SUM(A1)", 5]])
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert parsed[1] == ["'=HYPERLINK(\"http://x\")", "-2"]  # negative numbers stay numbers
    assert parsed[2][0] == "'@SUM(A1)"


def test_csv_writes_enums_dates_and_missing_values_plainly():
    data = to_csv(["等级", "日期", "备注"], [[Rating.GOOD, date(2026, 3, 31), None]])
    assert data.decode("utf-8-sig").splitlines()[1] == "良好,2026-03-31,"


def test_xlsx_opens_with_openpyxl_and_has_a_bold_header_and_the_rows():
    data = to_xlsx(HEADERS, ROWS, "2026")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "2026"
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0] == HEADERS
    assert values[1:] == [[None if v == "" else v for v in row] for row in ROWS]
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"


def test_xlsx_columns_are_wide_enough_for_chinese_text():
    data = to_xlsx(["律所", "x"], [["衢州正言律师事务所", "abcdefghi"]], "s")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    # nine Chinese characters are about twice as wide as nine Latin letters
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["B"].width >= 9


def test_xlsx_keeps_formula_like_text_as_text():
    data = to_xlsx(["律师"], [["=1+1"]], "s")
    cell = openpyxl.load_workbook(io.BytesIO(data)).active["A2"]
    assert (cell.value, cell.data_type) == ("=1+1", "s")


def test_xlsx_sheet_titles_excel_would_refuse_are_cleaned():
    data = to_xlsx(["a"], [], "2026/Q4: [积分]" + "x" * 40)
    title = openpyxl.load_workbook(io.BytesIO(data)).active.title
    assert len(title) <= 31 and not set(title) & set("[]:*?/\\")


def test_json_is_a_list_of_objects_with_readable_chinese():
    data = to_json(HEADERS, ROWS[:1])
    assert "钱八".encode() in data
    assert json.loads(data) == [dict(zip(HEADERS, ROWS[0]))]


def test_json_refuses_duplicate_headers_that_would_lose_a_column():
    with pytest.raises(ValueError):
        to_json(["积分", "积分"], [[1, 2]])


@pytest.mark.parametrize("export", [to_csv, to_json, lambda h, r: to_xlsx(h, r, "s")])
def test_a_row_of_the_wrong_length_is_refused(export):
    with pytest.raises(ValueError, match="row 1"):
        export(["名次", "律师"], [[1]])


# --- the points ranking file ------------------------------------------------------------------


@pytest.fixture
async def store(tmp_path):
    database = SQLiteDatabase(tmp_path / "t.sqlite3")
    await database.open()
    store = LedgerStore(database, SHANGHAI)
    good, _ = await store.add_lawyer("钱八", "丙所", NOW)
    vetoed, _ = await store.add_lawyer("安七", "乙所", NOW)
    await store.add_entry(good.id, "case", date(2026, 5, 1), "staff:1", NOW, quantity=4)
    await store.add_entry(vetoed.id, "case", date(2026, 8, 1), "staff:1", NOW)
    await store.add_entry(vetoed.id, "refused_case", date(2026, 8, 2), "staff:1", NOW, note="拒绝承办")
    yield store
    await database.close()


async def test_the_yearly_ranking_as_xlsx_holds_the_report_rows(store):
    name, data, mime = await points_report_file(store, 2026, None, "xlsx", HEADERS, vetoed_mark="是")
    assert (name, mime) == ("points-2026.xlsx", XLSX_MIME)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [list(r) for r in sheet.iter_rows(values_only=True)] == [
        HEADERS,
        [1, "钱八", "丙所", 80, "良好", None],
        [2, "安七", "乙所", 20, "不合格", "是"],
    ]


async def test_the_quarterly_ranking_as_csv_has_no_rating(store):
    name, data, mime = await points_report_file(store, 2026, 3, "csv", HEADERS, vetoed_mark="是")
    assert (name, mime) == ("points-2026-Q3.csv", CSV_MIME)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    # 二(三) the veto fails the year, so even in a quarter where 安七 leads on points, 安七 ranks last.
    assert parsed[1:] == [["1", "钱八", "丙所", "0", "", ""], ["2", "安七", "乙所", "20", "", "是"]]


async def test_the_ranking_as_json(store):
    name, data, mime = await points_report_file(store, 2026, None, "json", HEADERS)
    assert (name, mime) == ("points-2026.json", JSON_MIME)
    assert [row["律师"] for row in json.loads(data)] == ["钱八", "安七"]


async def test_the_ranking_refuses_an_unknown_format_or_wrong_headers(store):
    with pytest.raises(ValueError):
        await points_report_file(store, 2026, None, "pdf", HEADERS)
    with pytest.raises(ValueError):
        await points_report_file(store, 2026, None, "csv", HEADERS[:5])
