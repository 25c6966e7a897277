"""The one filter parser (map page and every API list): codes, text, flags, numbers, near."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.query.filters import FilterError
from tsbkart.query.params import codes, flag, offer_filter, text, unit_filter
from tsbkart.reference.postal import PostalCodeError
from tsbkart.registry.snapshot import RegistrySnapshot


def test_codes_are_repeated_or_comma_separated_and_deduplicated() -> None:
    assert codes({"a": ["x,y", " z ", "x", ""]}, "a") == ("x", "y", "z")
    assert codes({}, "a") == ()


@given(st.lists(st.text(alphabet="abc,", max_size=6), max_size=5))
def test_codes_never_hold_commas_blanks_or_duplicates(values: list[str]) -> None:
    parsed = codes({"a": values}, "a")
    assert all(c and "," not in c and c == c.strip() for c in parsed)
    assert len(set(parsed)) == len(parsed)


@pytest.mark.parametrize(
    ("values", "expected"),
    [([], None), ([""], None), (["true"], True), (["0"], False), (["on", "yes"], True)],
)
def test_flags(values: list[str], expected: bool | None) -> None:
    assert flag({"f": values}, "f") is expected


@pytest.mark.parametrize("values", [["maybe"], ["true", "false"]])
def test_bad_flags_name_the_parameter(values: list[str]) -> None:
    with pytest.raises(FilterError, match=r"^f: "):
        flag({"f": values}, "f")


def test_blank_text_is_no_filter_and_long_text_an_error() -> None:
    assert text({"q": ["  "]}) is None
    assert text({"q": ["tromsø", " akutt "]}) == "tromsø  akutt"
    with pytest.raises(FilterError, match="q"):
        text({"q": ["x" * 201]})


def test_unit_filter_reads_every_facet(bundled_snapshot: RegistrySnapshot) -> None:
    selection = unit_filter(
        {
            "service_type": ["akutt,avrusning"],
            "owner_type": ["hf"],
            "area": ["unn"],
            "open_24_7": ["true"],
            "near": ["69.65,18.96"],
            "radius_km": ["50"],
            "organisation": ["unn"],
        },
        bundled_snapshot,
        limit=10,
        offset=5,
    )
    assert selection.offers.service_types == ("akutt", "avrusning") and selection.offers.open_24_7 is True
    assert selection.owner_types == ("hf",) and selection.areas == ("unn",)
    assert selection.near == (69.65, 18.96) and selection.radius_km == 50.0
    assert (selection.limit, selection.offset, selection.organisation_ids) == (10, 5, ("unn",))


@pytest.mark.parametrize(
    ("params", "parameter", "values"),
    [
        ({"service_type": ["teleport"]}, "service_type", ("teleport",)),
        ({"area": ["atlantis"]}, "area", ("atlantis",)),
        ({"radius_km": ["-1"], "near": ["60,10"]}, "radius_km", ()),
        ({"radius_km": ["far"], "near": ["60,10"]}, "radius_km", ()),
        ({"near": ["north"]}, "near", ()),
    ],
)
def test_bad_values_name_the_parameter_and_the_unknown_codes(
    bundled_snapshot: RegistrySnapshot, params: dict[str, list[str]], parameter: str, values: tuple[str, ...]
) -> None:
    with pytest.raises(FilterError) as raised:
        unit_filter(params, bundled_snapshot)
    assert raised.value.parameter == parameter and raised.value.values == values
    assert raised.value.status == 422


def test_offer_filter(bundled_snapshot: RegistrySnapshot) -> None:
    selection = offer_filter({"unit": ["a,b"], "legal_basis": ["voluntary"]}, bundled_snapshot)
    assert selection.unit_ids == ("a", "b") and selection.facets.legal_basis == ("voluntary",)


def test_near_accepts_a_postal_code(bundled_snapshot: RegistrySnapshot) -> None:
    # #11: people know their postal code; it is placed at its municipality's point.
    bergen = bundled_snapshot.geography.area_units["4601"]
    assert unit_filter({"near": ["5003"]}, bundled_snapshot).near == (bergen.lat, bergen.lon)
    oslo = bundled_snapshot.geography.area_units["0301"]
    assert unit_filter({"near": [" 0557 "]}, bundled_snapshot).near == (oslo.lat, oslo.lon)
    with pytest.raises(PostalCodeError, match="not in Posten Bring"):
        unit_filter({"near": ["0000"]}, bundled_snapshot)
    assert unit_filter({"near": ["59.9,10.7"]}, bundled_snapshot).near == (59.9, 10.7)
