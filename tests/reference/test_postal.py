"""Postal codes: Bring's register resolves to a municipality; Oslo asks for the bydel; bad input is named."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.reference.geography import load_geography
from tsbkart.reference.postal import (
    MALFORMED,
    MISMATCH,
    OUTSIDE,
    UNKNOWN,
    PostalCodeError,
    postal_place,
    postal_places,
    resolve_home,
)

GEOGRAPHY = load_geography()


def test_every_municipality_has_a_postal_code_and_every_code_a_known_place() -> None:
    places = postal_places()
    assert len(places) == 5122
    municipalities = {a.code for a in GEOGRAPHY.area_units.values() if a.kind == "kommune"}
    covered = {p.municipality_code for p in places.values()}
    assert municipalities <= covered
    assert covered - municipalities == {"2100", "2211"}  # Svalbard and Jan Mayen, outside the catchments


def test_a_postal_code_gives_its_municipality() -> None:
    home = resolve_home(GEOGRAPHY, postal_code="9600")
    assert (home.area_code, home.needs_bydel) == ("5603", False)
    assert home.postal is not None and home.postal.place_title == "Hammerfest"


def test_an_oslo_postal_code_asks_for_the_bydel() -> None:
    home = resolve_home(GEOGRAPHY, postal_code="0150")
    assert home.area_code == "0301" and home.needs_bydel
    names = [name for _, name in home.bydeler]
    assert "Gamle Oslo" in names and names == sorted(names) and len(names) >= 15


def test_an_oslo_postal_code_with_a_bydel_is_the_bydel() -> None:
    home = resolve_home(GEOGRAPHY, area_code="030101", postal_code="0150")
    assert (home.area_code, home.needs_bydel) == ("030101", False)


@pytest.mark.parametrize(
    ("code", "message"), [("12", MALFORMED), ("abcd", MALFORMED), ("0000", UNKNOWN), ("9170", OUTSIDE)]
)
def test_bad_postal_codes_are_named(code: str, message: str) -> None:
    with pytest.raises(PostalCodeError) as raised:
        resolve_home(GEOGRAPHY, postal_code=code)
    assert str(raised.value) == message and raised.value.status == 422


def test_postal_code_and_municipality_must_agree() -> None:
    with pytest.raises(PostalCodeError, match="do not match"):
        resolve_home(GEOGRAPHY, area_code="5601", postal_code="9600")
    assert str(MISMATCH).startswith("The postal code")


@given(st.text(max_size=8))
def test_any_text_is_a_place_or_a_clear_error(text: str) -> None:
    try:
        place = postal_place(text)
    except PostalCodeError as error:
        assert str(error) in (MALFORMED, UNKNOWN)
    else:
        assert place.postal_code == text.strip() and len(place.municipality_code) == 4
