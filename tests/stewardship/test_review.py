"""review.yaml: checked against the schema at load; the bundled rules say what the issue asks."""

from __future__ import annotations

import pytest

from tsbkart.stewardship.review import load_review, parse_review
from tsbkart.yaml_schema import DataFileError


def test_bundled_rules_publish_waiting_time_and_intake_status_directly() -> None:
    rules = load_review()
    assert all(rules.is_direct("offer", f) for f in ("waiting_weeks", "waiting_as_of", "intake_status"))
    assert not rules.is_direct("unit", "street_address") and not rules.is_direct("offer", "service_type")
    assert rules.reverification_direct


@pytest.mark.parametrize(
    ("direct", "message"),
    [({"offer": ["waiting_time"]}, "offer has no field"), ({"clinic": ["name"]}, "unknown record kind")],
)
def test_unknown_kinds_and_fields_are_refused_naming_the_file(direct: object, message: str) -> None:
    with pytest.raises(DataFileError, match=f"review.yaml: .*{message}"):
        parse_review({"source": "test", "direct": direct})
