"""The ledger's rules under 衢市司发〔2020〕4号, apart from where entries are stored.

Which items exist and what an entry of one is worth, which days an entry may fall on, when
an entry may be reversed, the 二(四) correction window, and the arithmetic of a statement.
Pure functions over plain values; storage/ledger.py applies them before it writes.

A request the rules refuse raises `LedgerError` with a `text_id` for the catalog (ledger.error.*)
and English words for the log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from policy.points import (
    ITEMS_BY_KEY,
    VETOES,
    Item,
    correction_deadline,
    group_case_count,
    signed_points,
)
from policy.workdays import WorkCalendar

# 4号 四: 本办法自2020年1月20日起开始施行. Nothing earlier can earn or lose points.
SCHEME_START = date(2020, 1, 20)
VETO_KEYS = frozenset(i.key for i in VETOES)
# 二(一)1 办理法律援助案件: the one item whose count a group case changes.
GROUP_CASE_KEY = "case"
# 二(一)9: the one item whose day must be a non-working day.
NON_WORKDAY_CONSULT_KEY = "non_workday_consult"


class LedgerError(ValueError):
    """A request the rules refuse. `text_id` names the catalog text to show; `fields` fill it."""

    def __init__(self, text_id: str, message: str, **fields: Any):
        super().__init__(message)
        self.text_id = text_id
        self.fields = fields


class UnknownRecord(LookupError):
    """No lawyer, entry or correction with that id."""

    def __init__(self, kind: str, record_id: object):
        super().__init__(f"no {kind} with id {record_id!r}")
        self.text_id = f"ledger.error.unknown_{kind}"
        self.fields: dict[str, Any] = {}
        self.kind = kind
        self.record_id = record_id


class Decision(StrEnum):
    """Where a correction (二(四)) stands; the stored values."""

    PENDING = "pending"
    REJECTED = "rejected"
    ACCEPTED = "accepted"


@dataclass(frozen=True)
class Valued:
    """A manual entry the rules accept: its item and its signed points."""

    item: Item
    points: int


def value_entry(
    item_key: str, note: str, points: int | None = None, quantity: int = 1, people: int | None = None
) -> Valued:
    """The points of a manual entry, or LedgerError saying which rule it breaks.

    Fixed items: catalogue points × quantity (a group case of 二(一)1 counts as
    `group_case_count(people)` cases). 二(一)12 视情况: explicit positive points and a note.
    A veto (二(三)): 0 points, once, with a note.
    """
    item = ITEMS_BY_KEY.get(item_key)
    if item is None:
        raise LedgerError("ledger.error.unknown_item", f"unknown points item {item_key!r}", item=item_key)
    if people is not None:
        if item_key != GROUP_CASE_KEY or quantity != 1:
            raise LedgerError("ledger.error.people_only_for_cases",
                              f"people counts only for one group case ({GROUP_CASE_KEY}), not {item_key!r}")
        try:
            quantity = group_case_count(people)
        except ValueError:
            raise LedgerError("ledger.error.group_too_small", f"a group case needs 2+ people, got {people}") from None
    if not _whole(quantity) or quantity < 1:
        raise LedgerError("ledger.error.bad_quantity", f"quantity must be a whole number >= 1, got {quantity!r}")
    if item_key in VETO_KEYS:
        if points is not None or quantity != 1:
            raise LedgerError("ledger.error.veto_has_no_points",
                              f"{item.clause} is a veto: it carries no points and is recorded once")
        _need_note(note, f"a veto ({item.clause}) needs a note saying why")
        return Valued(item, 0)
    if item.points is None:
        if points is None or not _whole(points) or points <= 0:
            raise LedgerError("ledger.error.discretionary_needs_points",
                              f"{item.clause} is scored case by case: give positive whole points, got {points!r}")
        if quantity != 1:
            raise LedgerError("ledger.error.bad_quantity", f"{item.clause}: give the total as points, quantity 1")
        _need_note(note, f"{item.clause} needs a note saying what is rewarded")
        return Valued(item, points)
    if points is not None:
        raise LedgerError("ledger.error.points_fixed",
                          f"{item.clause} has fixed points ({item.points} each); pass quantity, not points")
    unit = signed_points(item_key)
    assert unit is not None
    return Valued(item, unit * quantity)


def check_day(day: date, today: date) -> str:
    """An entry's day as stored (YYYY-MM-DD): within the scheme's life, never after today."""
    if isinstance(day, datetime) or not isinstance(day, date):
        # A datetime would silently drop its zone; the caller picks the day in the centre's zone.
        raise TypeError(f"expected a date, got {day!r}")
    if day > today:
        raise LedgerError("ledger.error.future_date", f"{day.isoformat()} is after today ({today.isoformat()})")
    if day < SCHEME_START:
        raise LedgerError("ledger.error.before_scheme", f"{day.isoformat()} is before the scheme took effect")
    return day.isoformat()


def check_reversible(entry_id: int, reverses_id: int | None, reversed_by: int | None) -> None:
    """An entry is reversed at most once, and a counter-entry is never itself reversed."""
    if reverses_id is not None:
        raise LedgerError("ledger.error.reversal_not_reversible",
                          f"entry {entry_id} is itself a reversal of entry {reverses_id}", entry_id=entry_id)
    if reversed_by is not None:
        raise LedgerError("ledger.error.already_reversed", f"entry {entry_id} was already reversed by {reversed_by}",
                          entry_id=entry_id, reversal_id=reversed_by)


def correction_window(quarter: int | None, discovered: date, today: date, cal: WorkCalendar | None) -> date:
    """二(四): a correction concerns one quarter and comes within 5 days of the day the lawyer
    discovered the omission (发现之日), whatever the statement's date. Its deadline."""
    if quarter is None:
        raise LedgerError("ledger.error.bad_period", "a correction concerns one quarter (1-4)")
    if discovered > today:
        raise LedgerError("ledger.error.future_date", f"discovery day {discovered} is after today {today}")
    deadline = correction_deadline(discovered, cal)
    if today > deadline:
        raise LedgerError("ledger.error.correction_too_late",
                          f"the omission was discovered on {discovered}; corrections closed at the end of {deadline}",
                          deadline=deadline)
    return deadline


def check_item_day(item_key: str, day: date, cal: WorkCalendar) -> None:
    """二(一)9 非工作日解答…网络法律咨询: an answer given on a working day earns nothing."""
    if item_key == NON_WORKDAY_CONSULT_KEY and cal.is_workday(day):
        raise LedgerError("ledger.error.consult_on_workday", f"{day} is a working day; 二(一)9 is for non-working days",
                          day=day.isoformat())


def period(year: int, quarter: int | None) -> tuple[str, str]:
    """First and last day (YYYY-MM-DD, both inclusive) of a year or one of its quarters."""
    if not _whole(year) or not 1 <= year <= 9999:
        raise LedgerError("ledger.error.bad_period", f"year must be a whole number, got {year!r}")
    if quarter is None:
        return date(year, 1, 1).isoformat(), date(year, 12, 31).isoformat()
    if not _whole(quarter) or quarter not in (1, 2, 3, 4):
        raise LedgerError("ledger.error.bad_period", f"quarter must be 1-4, got {quarter!r}")
    first = date(year, 3 * quarter - 2, 1)
    after = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return first.isoformat(), (after - timedelta(days=1)).isoformat()


def quantity_of(item_key: str, points: int) -> int:
    """How many occurrences an entry's points stand for (1 for 视情况 and vetoes)."""
    unit = ITEMS_BY_KEY[item_key].points
    return abs(points) // unit if unit else 1


def live_veto(entries: list[tuple[int, str, int | None]]) -> bool:
    """Whether (id, item_key, reverses_id) rows hold a veto that no counter-entry cancels."""
    reversed_ids = {reverses for _, _, reverses in entries if reverses is not None}
    return any(key in VETO_KEYS and reverses is None and entry_id not in reversed_ids
               for entry_id, key, reverses in entries)


def required(value: object, what: str, text_id: str = "ledger.error.required") -> str:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        raise LedgerError(text_id, f"{what} must not be empty", field=what)
    return text


def _need_note(note: str, message: str) -> None:
    if not note.strip():
        raise LedgerError("ledger.error.note_required", message)


def _whole(n: object) -> bool:
    return isinstance(n, int) and not isinstance(n, bool)
