"""The finder's rules files are checked by pydantic models; a malformed entry is named with its file (#9, #11)."""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

from tsbkart.finder.rules import (
    RulesError,
    acute_rules,
    implied_rules,
    level_rules,
    parse_deadlines,
    parse_implied,
    parse_levels,
    parse_reasons,
)


def _doc(name: str) -> Any:
    return yaml.safe_load((resources.files("tsbkart.finder") / "rules" / name).read_text("utf-8"))


def test_deadline_status_is_checked_by_the_model() -> None:
    doc = _doc("deadlines.yaml")
    doc["conditions"][1]["status"] = "probably"
    with pytest.raises(RulesError, match=r"^deadlines.yaml: conditions\[1\]\.status: Input should be"):
        parse_deadlines(doc)


def test_levels_unknown_key_and_bad_treatment_are_named() -> None:
    doc = _doc("levels.yaml")
    doc["target_group_kinds"]["age"] = "ignore"
    with pytest.raises(RulesError, match=r"^levels.yaml: target_group_kinds\.age: Input should be"):
        parse_levels(doc)
    doc = _doc("levels.yaml")
    doc["needs"]["detox"]["min_levle"] = 3
    with pytest.raises(RulesError, match=r"^levels.yaml: needs\.detox\.min_levle: Extra inputs"):
        parse_levels(doc)


def test_levels_service_types_must_be_in_the_vocabulary() -> None:
    doc = _doc("levels.yaml")
    doc["needs"]["detox"]["service_types"] = ["avrusing"]
    with pytest.raises(RulesError, match=r"levels.yaml: needs\.detox\.service_types.*avrusing"):
        parse_levels(doc)


def test_reason_kind_is_checked() -> None:
    doc = _doc("reasons.yaml")
    doc["reasons"]["intake_closed"]["kind"] = "maybe"
    with pytest.raises(RulesError, match=r"^reasons.yaml: reasons\.intake_closed\.kind: Input should be"):
        parse_reasons(doc)


def test_implied_needs_have_sources_and_known_service_types() -> None:
    rules = implied_rules()
    assert rules.implied
    assert all(
        i.source.startswith("https://") and i.status in ("verified", "inferred") for i in rules.implied
    )
    doc = _doc("implied.yaml")
    doc["implied"][0]["service_types"] = ["nothing"]
    with pytest.raises(RulesError, match=r"^implied.yaml: implied\[0\]\.service_types.*nothing"):
        parse_implied(doc)


def test_acute_rules_and_legal_requirements_load() -> None:
    acute = acute_rules()
    assert {n.number for n in acute.numbers} >= {"113", "116 117"}
    assert level_rules().legal_requirements["hol_10_3"].target_groups == ("pregnant",)
