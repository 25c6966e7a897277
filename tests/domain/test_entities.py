"""Domain records: what is derived from the vocabularies rather than written in code."""

from __future__ import annotations

from tsbkart.domain.entities import Provenance, Unit, is_approximate_precision
from tsbkart.vocab import load_vocabularies


def test_approximate_locations_come_from_the_vocabulary() -> None:
    terms = load_vocabularies()["location_precision"]
    flagged = {t.code for t in terms if t.get("approximate")}
    assert flagged == {"municipality"}
    for term in terms:
        assert is_approximate_precision(term.code) is bool(term.get("approximate")), term.code
    assert is_approximate_precision("a-code-not-in-the-vocabulary")  # unknown precision is not precise
    assert not is_approximate_precision(None)  # no location at all: nothing to flag
    unit = Unit("u", "U", "o", Provenance("synthetic"), lat=60.0, lon=10.0, location_precision="municipality")
    assert unit.is_approximate
