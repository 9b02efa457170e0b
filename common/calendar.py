"""The working-day calendar the bot runs on: China's statutory calendar plus the override file staff keep."""

from __future__ import annotations

import logging
from datetime import date, datetime
from importlib import resources
from pathlib import Path

import yaml

from common.config import Settings
from policy.workdays import WorkCalendar

log = logging.getLogger(__name__)


def default_overrides_path() -> Path:
    return Path(str(resources.files("policy") / "calendar_overrides.yaml"))


def work_calendar(settings: Settings) -> WorkCalendar:
    path = settings.calendar_overrides or default_overrides_path()

    def warn(year: int) -> None:
        log.warning(
            "chinese-calendar has no data for %d: using Monday–Friday plus %s; add that year's"
            " holidays and 调休 working days there once the State Council publishes them",
            year,
            path,
        )

    return WorkCalendar(load_overrides(path), on_fallback=warn)


def load_overrides(path: Path) -> dict[date, bool]:
    """Read `{holidays: [YYYY-MM-DD, ...], workdays: [YYYY-MM-DD, ...]}` (a missing file is an error:
    silently "no holidays" would offer visits on them)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping with 'holidays' and 'workdays'")
    unknown = set(data) - {"holidays", "workdays"}
    if unknown:
        raise ValueError(f"{path}: unknown keys {sorted(unknown)}; only 'holidays' and 'workdays'")
    holidays = _dates(path, "holidays", data.get("holidays"))
    workdays = _dates(path, "workdays", data.get("workdays"))
    both = sorted(holidays & workdays)
    if both:
        listed = ", ".join(d.isoformat() for d in both)
        raise ValueError(f"{path}: {listed} listed as both a holiday and a workday")
    return {**{d: False for d in holidays}, **{d: True for d in workdays}}


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
