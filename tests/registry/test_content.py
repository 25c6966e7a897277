"""Content rules on records: hidden characters in ids, names and codes, safe ids, dates not in the future,
web addresses only http(s). Checked column by column; the same answers as checking record by record."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.domain.entities import Organisation, Provenance, ServiceOffer, Unit
from tsbkart.domain.text_rules import bad_character, is_safe_id
from tsbkart.registry.content import check_content
from tsbkart.registry.validation import KnownIds, validate_records

TODAY = date(2026, 12, 1)
P = Provenance("synthetic test data", verified=date(2026, 11, 1))
KNOWN = KnownIds({"organisation": {"org"}, "unit": {"u1"}, "team": set()})


def _problems(*records: object) -> list[tuple[str, str, str]]:
    found = validate_records(list(records), KNOWN, today=TODAY)  # type: ignore[arg-type]
    return [(p.id, p.field, p.message) for p in found]


def _unit(**changes: object) -> Unit:
    return replace(Unit("u1", "Unit one", "org", P), **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("char", ["\x1b", "\x07", "\u202e", "\u200b", "\n", "\r"])
@pytest.mark.parametrize("field", ["name", "town", "catchment_code", "phone"])
def test_hidden_characters_in_names_and_codes(char: str, field: str) -> None:
    [(record, where, message)] = [p for p in _problems(_unit(**{field: f"Ab{char}c"})) if p[1] == field]
    assert record == "u1" and where == field and "at character 3" in message


def test_hidden_characters_in_ids_and_references() -> None:
    offer = ServiceOffer("u1/a\u200b", "u1", "akutt", P)
    [(_, field, message)] = _problems(offer)
    assert field == "id" and message.startswith("id 'u1/a\\u200b' is not a safe id")  # repr shows it
    bad_ref = ServiceOffer("u1/a", "u1\x1b", "akutt", P)
    fields = [f for _, f, _ in _problems(bad_ref)]
    assert fields.count("unit_id") == 2  # not a known unit, and a control character


def test_descriptions_may_have_line_breaks_but_no_escapes() -> None:
    assert _problems(_unit(description="Første linje\nAndre linje")) == []
    [(_, field, message)] = _problems(_unit(description="rød \x1b[31mtekst"))
    assert field == "description" and "U+001B ESC" in message


def test_provenance_text_is_checked_too() -> None:
    unit = _unit(provenance=Provenance("https://example.org/\u202ekilde", steward="A\tB"))
    assert sorted(f for _, f, _ in _problems(unit)) == ["source", "steward"]


def test_unsafe_ids() -> None:
    found = _problems(Organisation("Helse Bergen", "Helse Bergen HF", "hf", P))
    assert [(f, m.split(":")[0]) for _, f, m in found] == [("id", "id 'Helse Bergen' is not a safe id")]


def test_verified_and_waiting_dates_may_not_be_in_the_future() -> None:
    future = Provenance("kilde", verified=date(2026, 12, 2))
    assert [(f, m) for _, f, m in _problems(_unit(provenance=future))] == [
        ("verified", "verified 2026-12-02 is in the future (today is 2026-12-01 in Norway)")
    ]
    offer = ServiceOffer("u1/a", "u1", "akutt", P, waiting_weeks=2, waiting_as_of=date(2027, 1, 1))
    assert [f for _, f, _ in _problems(offer)] == ["waiting_as_of"]
    assert _problems(_unit(provenance=Provenance("kilde", verified=TODAY))) == []


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.cookie)", "data:text/html,x", "www.unn.no", "ftp://x.no"]
)
def test_websites_are_http_or_https(url: str) -> None:
    [(_, field, message)] = _problems(_unit(website=url))
    assert field == "website" and "is not a web address" in message
    assert _problems(_unit(website="https://www.unn.no/rus")) == []


def test_problems_carry_a_translatable_message() -> None:
    [problem] = validate_records([_unit(name="A\u200bB")], KNOWN, today=TODAY)
    assert problem.text is not None and str(problem.text) == problem.message


NAMES = st.text(
    alphabet=st.sampled_from(["a", "B", " ", "ø", "\u200b", "\n", "\x1b", "-"]), min_size=1, max_size=6
)


@given(st.lists(st.tuples(NAMES, NAMES), min_size=1, max_size=8))
def test_checking_a_column_at_once_finds_what_checking_each_record_finds(
    pairs: list[tuple[str, str]],
) -> None:
    units = [_unit(id=f"u{i}", name=name, town=town) for i, (name, town) in enumerate(pairs)]
    found: list[tuple[str, str]] = []
    check_content(units, TODAY, lambda record, field, text: found.append((record.id, field)))
    expected = [
        (u.id, field)
        for field in ("name", "town")
        for u in units
        if bad_character(getattr(u, field)) is not None
    ]
    assert sorted(found) == sorted(expected) and all(is_safe_id(u.id) for u in units)
