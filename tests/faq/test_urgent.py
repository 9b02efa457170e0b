"""Urgent messages: every case of tests/data/urgent_cases.yaml is caught with its kind, no look-alike is."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from common.catalog import load_catalog
from faq.urgent import Danger, danger_in

CASES = yaml.safe_load((Path(__file__).parents[1] / "data" / "urgent_cases.yaml").read_text(encoding="utf-8"))


def test_the_case_list_is_big_enough():
    assert len(CASES["urgent"]) >= 50 and len(CASES["harmless"]) >= 50
    assert {item["kind"] for item in CASES["urgent"]} == {d.value for d in Danger}


@pytest.mark.parametrize("item", CASES["urgent"], ids=lambda item: item["q"])
def test_an_urgent_message_is_caught_with_its_kind(item):
    assert danger_in(item["q"]) is Danger(item["kind"])


@pytest.mark.parametrize("question", [item["q"] for item in CASES["harmless"]])
def test_a_harmless_look_alike_is_not_urgent(question):
    assert danger_in(question) is None


@pytest.mark.parametrize("message", ["救命", "快来救我", "养老金卡被儿子拿走了", "老伴走了 儿子不管我 我不想活了"])
def test_the_messages_quoted_in_issue_12_are_urgent(message):
    assert danger_in(message) is not None


def test_self_harm_brings_the_psychological_assistance_hotline():
    text_id = danger_in("老伴走了 儿子不管我 我不想活了").text_id
    assert text_id == "urgent.self_harm"
    assert "12356" in load_catalog()(text_id)
    assert all(d.text_id is None for d in Danger if d is not Danger.SELF_HARM)
