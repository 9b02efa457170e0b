"""The working-day calendar the bot runs on: China's statutory calendar plus the override file staff keep."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import yaml

from common.config import Settings
from policy.workdays import WorkCalendar

log = logging.getLogger(__name__)


def default_overrides_path() -> Path:
    return Path(str(resources.files("policy") / "calendar_overrides.yaml"))


def overrides_path(settings: Settings) -> Path:
    return settings.calendar_overrides or default_overrides_path()


def work_calendar(settings: Settings) -> WorkCalendar:
    path = overrides_path(settings)

    def warn(year: int) -> None:
        log.warning(
            "chinese-calendar has no data for %d: its statutory holidays are computed from"
            " 《全国年节及纪念日放假办法》 and provisional, and its 调休 working days are unknown; add that"
            " year's holidays and 调休 working days to %s once the State Council publishes them",
            year,
            path,
        )

    overrides = load_overrides(path)
    return WorkCalendar(overrides.days, on_fallback=warn, entered_years=overrides.entered_years)


@dataclass(frozen=True)
class Overrides:
    days: dict[date, bool]  # True: worked (调休上班), False: a holiday
    entered_years: frozenset[int]  # years whose State Council notice is entered here in full

    def under(self, days: dict[date, bool], entered_years: frozenset[int]) -> Overrides:
        """These (the file's) as starting values, with what staff entered in the database over them."""
        return Overrides({**self.days, **days}, self.entered_years | entered_years)


def load_overrides(path: Path) -> Overrides:
    """Read `{holidays: [YYYY-MM-DD, ...], workdays: [...], entered: [YYYY, ...]}` (a missing file is
    an error: silently "no holidays" would offer visits on them)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with 'holidays' and 'workdays'")
    unknown = set(data) - {"holidays", "workdays", "entered"}
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}; only 'holidays', 'workdays' and 'entered'")
    holidays = _dates(path, "holidays", data.get("holidays"))
    workdays = _dates(path, "workdays", data.get("workdays"))
    both = sorted(holidays & workdays)
    if both:
        listed = ", ".join(d.isoformat() for d in both)
        raise ValueError(f"{path}: {listed} listed as both a holiday and a workday")
    entered = data.get("entered") or []
    if not isinstance(entered, list) or not all(isinstance(y, int) and 2000 <= y <= 2100 for y in entered):
        raise ValueError(f"{path}: 'entered' must be a list of years such as 2027")
    return Overrides({**{d: False for d in holidays}, **{d: True for d in workdays}}, frozenset(entered))


def _dates(path: Path, key: str, raw: object) -> set[date]:
    if raw is None:
        return set()
    if not isinstance(raw, list):
        raise ValueError(f"{path}: '{key}' must be a list of YYYY-MM-DD dates")
    out: set[date] = set()
    for item in raw:
        # YAML already turns an unquoted 2027-01-01 into a date; a quoted one stays a string.
        if isinstance(item, date) and not isinstance(item, datetime):
            out.add(item)
        elif isinstance(item, str):
            try:
                out.add(date.fromisoformat(item))
            except ValueError:
                raise ValueError(f"{path}: '{key}' has {item!r}, not a YYYY-MM-DD date") from None
        else:
            raise ValueError(f"{path}: '{key}' has {item!r}, not a YYYY-MM-DD date")
    return out
