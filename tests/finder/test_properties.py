"""Property tests (hypothesis): results are eligible, ranking is deterministic, relaxing a preference never
removes a result."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tsbkart.finder.profile import SUBSTANCES, NeedProfile, Preferences
from tsbkart.finder.rules import level_rules
from tsbkart.finder.search import find
from tsbkart.query.target_groups import fit
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab import load_vocabularies

TODAY = date(2026, 11, 23)
AREAS = ["5601", "4601", "3403", "030101", "5501", "3301", "5001", "1103", "0301", "1804", "4204"]
SERVICE_TYPES = ["poliklinikk", "ambulant", "dag", "dogn_kort", "dogn_lang", "avrusning", "akutt", "lar"]
SLOW = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@st.composite
def preferences(draw: st.DrawFn) -> Preferences:
    return Preferences(
        public_only=draw(st.booleans()),
        max_distance_km=draw(st.one_of(st.none(), st.floats(1, 1500))),
        setting=draw(st.sampled_from(["any", "outpatient", "inpatient"])),
        service_types=tuple(draw(st.lists(st.sampled_from(SERVICE_TYPES), max_size=3, unique=True))),
    )


@st.composite
def profiles(draw: st.DrawFn) -> NeedProfile:
    sex = draw(st.sampled_from([None, "female", "male", "other"]))
    pregnant = sex != "male" and draw(st.booleans())
    substances = draw(st.lists(st.sampled_from(SUBSTANCES), max_size=3, unique=True))
    coercion = draw(st.sampled_from(["none", "hol_10_2"] + (["hol_10_3"] if pregnant else [])))
    fields: dict[str, Any] = dict(
        home_area=draw(st.sampled_from(AREAS)),
        age=draw(st.integers(0, 100)),
        sex=sex,
        substances=substances,
        injecting=draw(st.booleans()),
        injecting_groin_neck=draw(st.booleans()),
        alcohol_over_20_units="alcohol" in substances and draw(st.booleans()),
        pregnant=pregnant,
        children_in_care=draw(st.booleans()),
        lar=draw(st.sampled_from(["none", "current", "wanted"])),
        rop=draw(st.booleans()),
        detox=draw(st.booleans()),
        acute_crisis=draw(st.booleans()),
        coercion=coercion,
        in_prison=draw(st.booleans()),
        preferences=draw(preferences()),
    )
    return NeedProfile(**fields)


def _eligible(
    snapshot: RegistrySnapshot, profile: NeedProfile, offer_id: str, distance: float | None
) -> None:
    """An independent statement of the eligibility rules (docs/finder.md), checked on each result."""
    offer = snapshot.offers[offer_id]
    unit = snapshot.units[offer.unit_id]
    rules = level_rules()
    vocab = load_vocabularies()
    level = vocab["service_types"][offer.service_type].get("level")
    prefs = profile.preferences
    assert offer.service_type not in rules.not_results
    assert offer.intake_status != "closed"
    assert offer.age_min is None or profile.age >= offer.age_min
    assert offer.age_max is None or profile.age <= offer.age_max
    if profile.coercion != "none":
        assert profile.coercion in offer.legal_basis
    if profile.coercion == "hol_10_3":  # HOL § 10-3 is for pregnant women: the offer must state it
        # stated for the offer or for its whole unit, not merely "not excluded" (tsbkart.query.target_groups)
        assert fit(offer, unit, "pregnant") in ("stated", "stated_for_unit")
    facts = {
        "acute_crisis": profile.acute_crisis,
        # More than 20 alcohol units a day implies detox (rules/implied.yaml).
        "detox": profile.detox or (profile.alcohol_over_20_units and "alcohol" in profile.substances),
        "coercion": profile.coercion != "none",
        "opioids": "opioids" in profile.substances or profile.lar != "none",
    }
    required = rules.service_type_requires.get(offer.service_type)
    if required:
        assert any(facts[r] for r in required)
    assert level in rules.settings[prefs.setting]
    if prefs.service_types:
        assert offer.service_type in prefs.service_types
    if prefs.public_only:
        owner = snapshot.organisations[unit.organisation_id].owner_type
        assert vocab["owner_types"][owner].get("public") is True
    if prefs.max_distance_km is not None and distance is not None:
        assert distance <= prefs.max_distance_km + 0.05  # distances are reported rounded to 0.1 km


@SLOW
@given(profile=profiles())
def test_no_result_is_ineligible(bundled_snapshot: RegistrySnapshot, profile: NeedProfile) -> None:
    result = find(bundled_snapshot, profile, today=TODAY, limit=500)
    # Scope before length: an eligible offer is in at most one group (outside the region only service types no
    # nearer group holds); a group holds at most its limit.
    assert sum(g.total for g in result.groups) <= result.total_eligible
    nearer = {r.service_type for r in result.results if r.group != "national"}
    assert not any(r.service_type in nearer for r in result.results if r.group == "national")
    assert len(result.results) == sum(len(g.shown) + len(g.more) for g in result.groups)
    assert all(len(g.shown) <= g.cap for g in result.groups)
    for r in result.results:
        _eligible(bundled_snapshot, profile, r.offer_id, r.distance_km)


@SLOW
@given(profile=profiles())
def test_ranking_is_deterministic(bundled_snapshot: RegistrySnapshot, profile: NeedProfile) -> None:
    first = find(bundled_snapshot, profile, today=TODAY, limit=500)
    again = find(bundled_snapshot, profile, today=TODAY, limit=500)
    # The same registry built from records in another order ranks the same way.
    s = bundled_snapshot
    shuffled = RegistrySnapshot.build(
        s.geography,
        organisations=reversed(list(s.organisations.values())),
        units=reversed(list(s.units.values())),
        offers=reversed(list(s.offers.values())),
        teams=reversed(list(s.teams.values())),
    )
    other = find(shuffled, profile, today=TODAY, limit=500)
    assert first.model_dump() == again.model_dump()
    assert [r.offer_id for r in first.results] == [r.offer_id for r in other.results]


def _relaxations(prefs: Preferences) -> list[Preferences]:
    out = [
        prefs.model_copy(update={"public_only": False}),
        prefs.model_copy(update={"setting": "any"}),
        prefs.model_copy(update={"service_types": ()}),
        prefs.model_copy(update={"max_distance_km": None}),
    ]
    if prefs.max_distance_km is not None:
        out.append(prefs.model_copy(update={"max_distance_km": prefs.max_distance_km * 2}))
    if prefs.service_types:
        out.append(prefs.model_copy(update={"service_types": (*prefs.service_types, "dogn_utredning")}))
    return out


@SLOW
@given(profile=profiles())
def test_relaxing_a_preference_never_removes_a_result(
    bundled_snapshot: RegistrySnapshot, profile: NeedProfile
) -> None:
    def eligible(p: NeedProfile) -> set[str]:
        # Every offer not excluded (results are capped per group, so compare what is eligible).
        excluded = find(bundled_snapshot, p, today=TODAY, explain=True).excluded or []
        return set(bundled_snapshot.offers) - {e.offer_id for e in excluded}

    strict = eligible(profile)
    for relaxed_prefs in _relaxations(profile.preferences):
        assert strict <= eligible(profile.model_copy(update={"preferences": relaxed_prefs}))


@SLOW
@given(profile=profiles())
def test_vectorised_eligibility_agrees_with_judge(
    bundled_snapshot: RegistrySnapshot, profile: NeedProfile
) -> None:
    """The fast per-component path (search) and the explaining path (judge) never disagree."""
    from tsbkart.finder.eligibility import context, eligibility_arrays, judge
    from tsbkart.finder.index import finder_index

    index = finder_index(bundled_snapshot)
    ctx = context(profile)
    ok, tier, target = eligibility_arrays(index, ctx)
    for i in range(len(index.offers)):
        verdict = judge(index.signatures[index.sig_of[i]], ctx)
        assert (bool(ok[i]), int(tier[i]), int(target[i])) == (verdict.eligible, verdict.tier, verdict.target)
