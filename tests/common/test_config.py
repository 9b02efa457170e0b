"""Configuration: the defaults not validated at start are valid, and a bad value set still stops it."""

from __future__ import annotations

import pytest

from common.config import ConfigError, Settings, load_settings
from policy.points import Bands
from policy.slots import parse_windows


def test_the_defaults_left_unvalidated_at_start_are_valid():
    assert Bands.parse(Settings.model_fields["rating_bands"].default)
    assert parse_windows(Settings.model_fields["visit_windows"].default)


@pytest.mark.parametrize(("variable", "value"), [("LEGALAID_RATING_BANDS", "90,80"),
                                                 ("LEGALAID_VISIT_WINDOWS", "am=11:00-09:00")])
def test_a_bad_value_set_still_stops_the_start_naming_its_variable(variable, value, tmp_path):
    with pytest.raises(ConfigError, match=variable):
        load_settings(_env_file=None, LEGALAID_DATA_DIR=str(tmp_path), **{variable: value})


def test_a_value_given_wins_over_the_environment_which_wins_over_dotenv(tmp_path, monkeypatch):
    dotenv = tmp_path / ".env"
    dotenv.write_text("LEGALAID_TZ=Asia/Tokyo\nlegalaid_log_level=debug\nLEGALAID_VISIT_CAPACITY=7\n", encoding="utf-8")
    monkeypatch.setenv("LEGALAID_VISIT_CAPACITY", "9")
    monkeypatch.delenv("LEGALAID_TZ", raising=False)
    monkeypatch.delenv("LEGALAID_LOG_LEVEL", raising=False)
    settings = Settings(_env_file=dotenv, LEGALAID_DATA_DIR=str(tmp_path))
    assert (settings.tz, settings.log_level, settings.visit_capacity) == ("Asia/Tokyo", "DEBUG", 9)
    assert Settings(_env_file=dotenv, LEGALAID_VISIT_CAPACITY=3).visit_capacity == 3
    assert Settings(_env_file=None).tz == "Asia/Shanghai"


def test_dotenv_in_the_working_folder_is_read_by_default(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("LEGALAID_STAFF_IDS=telegram:1, wechat:oAbc\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEGALAID_STAFF_IDS", raising=False)
    assert Settings().staff_ids == frozenset({"telegram:1", "wechat:oAbc"})
