"""The override file for years chinese-calendar does not know (holidays and 调休 working days staff enter)."""

from __future__ import annotations

from datetime import date

import pytest

from common.calendar import Overrides, default_overrides_path, load_overrides, work_calendar
from common.config import ConfigError, load_settings

SHIPPED = default_overrides_path()


def test_overrides_file_gives_holidays_and_workdays(tmp_path):
    path = tmp_path / "o.yaml"
    path.write_text("holidays: [2027-01-01, '2027-02-08']\nworkdays: [2027-02-06]\n", encoding="utf-8")
    assert load_overrides(path).days == {
        date(2027, 1, 1): False,
        date(2027, 2, 8): False,
        date(2027, 2, 6): True,
    }


def test_a_date_in_both_lists_is_an_error_naming_it(tmp_path):
    path = tmp_path / "o.yaml"
    path.write_text("holidays: [2027-01-01]\nworkdays: [2027-01-01]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="2027-01-01"):
        load_overrides(path)


@pytest.mark.parametrize(
    "text",
    ["holidays: [2027-13-01]\n", "holidays: 2027-01-01\n", "holiday: [2027-01-01]\n", "- 2027-01-01\n",
     "entered: 2027\n", "entered: ['2027']\n"],
)
def test_malformed_overrides_are_errors(tmp_path, text):
    path = tmp_path / "o.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError):
        load_overrides(path)


def test_a_missing_overrides_file_is_an_error_not_no_holidays(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_overrides(tmp_path / "absent.yaml")


def test_a_configured_overrides_file_that_does_not_exist_stops_start_up_naming_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="LEGALAID_CALENDAR_OVERRIDES"):
        load_settings(_env_file=None, LEGALAID_CALENDAR_OVERRIDES=str(tmp_path / "absent.yaml"))


def test_shipped_overrides_file_loads_and_is_empty():
    assert load_overrides(SHIPPED) == Overrides({}, frozenset())


def test_a_year_entered_in_full_has_no_provisional_days_and_only_its_listed_holidays(tmp_path):
    path = tmp_path / "o.yaml"
    path.write_text("holidays: [2027-02-11]\nentered: [2027]\n", encoding="utf-8")
    cal = work_calendar(load_settings(_env_file=None, LEGALAID_CALENDAR_OVERRIDES=str(path)))
    assert cal.provisional_holidays(2027) == {}
    assert cal.is_workday(date(2027, 2, 10)) and not cal.is_workday(date(2027, 2, 11))
    assert cal.provisional_holidays(2028)  # the next year is still computed


def test_an_unknown_year_is_warned_about_once_per_process(caplog):
    cal = work_calendar(load_settings(_env_file=None))
    with caplog.at_level("WARNING", logger="common.calendar"):
        for day in (date(2027, 2, 5), date(2027, 10, 1), date(2027, 3, 1)):
            cal.is_workday(day)
    (warning,) = [r for r in caplog.records if r.levelname == "WARNING"]
    assert "2027" in warning.getMessage() and "调休" in warning.getMessage()
