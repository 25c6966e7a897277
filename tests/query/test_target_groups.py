"""The one target-group rule: stated on the offer, stated for the unit, possible, stated not to serve."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.registry import factories as f
from tsbkart.query.target_groups import FITS, best_fit, fit
from tsbkart.vocab import load_vocabularies

GROUPS = load_vocabularies()["target_groups"].codes


def test_a_group_the_offer_states_is_stated() -> None:
    offer = f.offer(target_groups=("pregnant",))
    assert fit(offer, f.unit(target_groups=("young",)), "pregnant") == "stated"


def test_a_group_stated_for_the_unit_is_not_the_offers_own() -> None:
    unit = f.unit(target_groups=("young", "rop"))
    assert fit(f.offer(), unit, "young") == "stated_for_unit"
    assert fit(f.offer(), unit, "rop") == "stated_for_unit"
    # The offer's own statement describes it; the unit's is not added to it.
    assert fit(f.offer(target_groups=("gambling",)), unit, "rop") == "possible"


def test_nothing_stated_is_possible_not_a_no() -> None:
    for group in GROUPS:
        assert fit(f.offer(), f.unit(), group) == "possible"


def test_only_age_rules_a_group_out() -> None:
    youth = f.unit(target_groups=("under_18",))
    assert fit(f.offer(), youth, "adults") == "stated_not"
    assert fit(f.offer(), youth, "elderly") == "stated_not"
    assert fit(f.offer(), youth, "alcohol") == "possible"  # a substance is never ruled out by absence
    assert fit(f.offer(), youth, "pregnant") == "possible"
    # "young" states no bounds: an adult may be a young adult.
    assert fit(f.offer(), f.unit(target_groups=("young",)), "adults") == "possible"
    assert fit(f.offer(age_min=18), f.unit(), "under_18") == "stated_not"
    assert fit(f.offer(age_min=18), f.unit(), "under_23") == "possible"
    assert fit(f.offer(age_max=29), f.unit(), "elderly") == "stated_not"
    # The offer's own age bands win over the unit's.
    assert fit(f.offer(target_groups=("adults",)), youth, "adults") == "stated"


def test_best_fit_over_alternatives() -> None:
    unit = f.unit(target_groups=("under_18",))
    assert best_fit(f.offer(), unit, ("adults", "under_23")) == "possible"
    assert best_fit(f.offer(), unit, ("adults",)) == "stated_not"
    assert best_fit(f.offer(target_groups=("rop",)), unit, ("adults", "rop")) == "stated"


@given(
    offer_groups=st.lists(st.sampled_from(GROUPS), max_size=3),
    unit_groups=st.lists(st.sampled_from(GROUPS), max_size=3),
    group=st.sampled_from(GROUPS),
)
def test_fit_is_one_of_four_and_stated_means_named(
    offer_groups: list[str], unit_groups: list[str], group: str
) -> None:
    offer, unit = f.offer(target_groups=tuple(offer_groups)), f.unit(target_groups=tuple(unit_groups))
    result = fit(offer, unit, group)
    assert result in FITS
    assert (result == "stated") == (group in offer_groups)
    assert (result == "stated_for_unit") == (not offer_groups and group in unit_groups)
