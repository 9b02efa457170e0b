"""The working-day calendar the bot runs on: China's statutory calendar plus the override file."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

from common.config import Settings
from policy.workdays import WorkCalendar, load_overrides

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
