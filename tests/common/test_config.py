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
