"""answer_json writes exactly what pydantic writes for a FinderResult, on every kind of answer."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from hypothesis import given
from pydantic import TypeAdapter

from tests.finder import builders as b
from tests.finder.test_properties import SLOW, profiles
from tsbkart.finder.answer_json import answer_json
from tsbkart.finder.profile import NeedProfile
from tsbkart.finder.search import PER_SEARCH_FIELDS, FinderResult, RankedOffer, find
from tsbkart.registry.snapshot import RegistrySnapshot

TODAY = date(2026, 11, 23)
PYDANTIC = TypeAdapter(FinderResult)


@SLOW
@given(profile=profiles())
def test_bundled_answers_are_pydantics_bytes(
    bundled_snapshot: RegistrySnapshot, profile: NeedProfile
) -> None:
    # Acute crises, Oslo without a bydel (trust groups), distance limits, every need: each answer, and again
    # from the memo the first one filled.
    for explain, limit in ((False, 100), (True, 7)):
        result = find(bundled_snapshot, profile, today=TODAY, explain=explain, limit=limit)
        expected = PYDANTIC.dump_json(result)
        assert answer_json(bundled_snapshot, result) == expected
        assert answer_json(bundled_snapshot, result) == expected


def test_text_with_percent_signs_quotes_and_non_ascii_is_written_as_pydantic_writes_it() -> None:
    # The per-offer template is a %-format: a "%" in a name or note must come out as itself.
    odd = 'Enhet 100 % "rus" \\ Sørøya ‮ 𝔘'
    units = [
        replace(b.unit("u1", "hf-north", "north", 70.0, 20.0, phone="%s %d %%", town="Å%(x)s"), name=odd)
    ]
    offers = [b.offer("u1", "poliklinikk", referral_note="50 % ventetid\n%", waiting_weeks=2.5)]
    snapshot = b.snapshot(units, offers)
    result = find(snapshot, NeedProfile(home_area="9001", age=30), today=TODAY)
    assert [r.unit_name for r in result.results] == [odd]
    assert answer_json(snapshot, result) == PYDANTIC.dump_json(result)


def test_every_field_outside_the_per_search_ones_is_the_same_on_every_search(
    bundled_snapshot: RegistrySnapshot,
) -> None:
    # answer_json writes those fields once per snapshot: a field that depends on the profile must be declared
    # in PER_SEARCH_FIELDS. Profiles that differ in everything a result can depend on.
    searches = [
        NeedProfile(home_area="5601", age=17, substances=["alcohol"]),
        NeedProfile(home_area="0301", age=70, substances=["opioids"], lar="current", acute_crisis=True),
        NeedProfile(home_area="4601", age=35, pregnant=True, sex="female", detox=True, rop=True),
        NeedProfile(home_area="030101", age=25, in_prison=True, preferences={"max_distance_km": 300}),
    ]
    seen: dict[str, dict[str, object]] = {}
    shared = 0
    for profile in searches:
        for r in find(bundled_snapshot, profile, today=TODAY, limit=500).results:
            fixed = {n: v for n, v in r.__dict__.items() if n not in PER_SEARCH_FIELDS}
            if r.offer_id in seen:
                shared += 1
                assert fixed == seen[r.offer_id], r.offer_id
            seen[r.offer_id] = fixed
    assert shared > 20
    assert set(RankedOffer.model_fields) > PER_SEARCH_FIELDS
