"""Patient vignettes over the bundled registry.

Each expectation is derived from the rules files and the domain primer, and from what the bundled data holds
(docs/finder.md explains the reasoning):

- deadline: rules/deadlines.yaml (alcohol 6 weeks, 2 above 20 units a day; opioids 12, 4 injecting, 2 groin/neck;
  gambling 12; under 23: 4, marked "inferred" for conditions whose own deadline is missing; missing = None);
- first result: rules/levels.yaml (a stated need's service types first; otherwise the lowest level, outpatient);
- eligible service types: LAR only with opioid dependence, detox only when needed, acute only in a crisis or
  under coercion, coercion only where the basis is stated, assessment never a result;
- routing: the bundled assessment teams (tsbkart.reference.seed) by catchment, scope and age band.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from tsbkart.finder.profile import NeedProfile
from tsbkart.finder.search import FinderResult, find
from tsbkart.registry.snapshot import RegistrySnapshot

TODAY = date(2026, 11, 23)  # a Monday
BERGEN_TEAM = "vurderingsteam-rusmedisin-poliklinikk-murhjornet-avdeling-for-rusmedisin"
STOLAV_30_PLUS = "klinikk-for-rus-og-avhengighetsmedisin-vurderingsinstans"
STOLAV_UNDER_30 = "psykiatrisk-ungdomsteam-put"
STOLAV_LAR = "klinikk-for-rus-og-avhengighetsmedisin-lar-henvisninger"
STAVANGER_IO = "inntaks-og-oppstartsteam-io-teamet-avdeling-for-rus-og-avhengighetsbehandling"
UNN = "vurderingsinstans-for-tsb-unn"
FINNMARK = "vurderingsteamet-i-helse-finnmark"
NORDLAND = "vurderingsinstans-tsb-nordlandssykehuset"
SORLANDET = "ara-vurderingsteamet"
SORLANDET_LAR = "ara-lar-team-arendal-og-kristiansand"
HNT = "klinikk-for-psykisk-helsevern-og-rus-vurderingsinstans-tsb"
HMR_INPATIENT = "avdeling-for-tsb-vurderingsteam-ved-alesund-behandlingssenter"

OUTPATIENT = {"poliklinikk", "ambulant"}
LAR = {"lar", "lar_lavterskel"}
INPATIENT = {"dogn_kort", "dogn_lang", "dogn_utredning"}


@dataclass(frozen=True)
class Vignette:
    name: str
    home: str  # area name, resolved against the bundled geography
    profile: dict[str, Any]
    weeks: int | None
    status: str | None
    route: tuple[str, str | None]  # (basis, team id)
    first: set[str]  # allowed service types of the first result
    first_level: int
    include: set[str] = field(default_factory=set)
    exclude: set[str] = field(default_factory=set)
    catchment: str | None = "?"  # expected home catchment ("?" = do not check)
    missing: tuple[str, ...] = ()


VIGNETTES = [
    Vignette(
        "19-year-old injecting opioids in Finnmark",
        "Alta",
        dict(age=19, substances=["opioids"], injecting=True),
        4,
        "verified",
        ("home_all_tsb", FINNMARK),
        OUTPATIENT,
        1,
        include=LAR,
        exclude={"avrusning", "akutt", "vurdering"},
        catchment="finnmark",
    ),
    Vignette(
        "pregnant woman, alcohol, Bergen, HOL §10-3",
        "Bergen",
        dict(age=29, sex="female", substances=["alcohol"], pregnant=True, coercion="hol_10_3"),
        6,
        "verified",
        ("home_all_tsb", BERGEN_TEAM),
        INPATIENT | {"avrusning", "akutt"},
        3,
        include={"dogn_lang"},
        exclude=OUTPATIENT | LAR,
        catchment="bergen",
        missing=("pregnancy",),
    ),
    Vignette(
        "70-year-old, alcohol and prescription drugs, Innlandet",
        "Hamar",
        dict(age=70, substances=["alcohol", "prescription_drugs"]),
        6,
        "verified",
        ("none_known", None),
        OUTPATIENT,
        1,
        exclude=LAR | {"avrusning", "akutt"},
        catchment="innlandet",
        missing=("prescription_drugs",),
    ),
    Vignette(
        "gambling in Oslo (Gamle Oslo)",
        "Gamle Oslo",
        dict(age=40, substances=["gambling"]),
        12,
        "verified",
        ("none_known", None),
        OUTPATIENT,
        1,
        exclude=LAR | {"avrusning", "akutt"},
        catchment="lovisenberg",
    ),
    Vignette(
        "ROP with stimulants in Tromsø",
        "Tromsø",
        dict(age=35, substances=["stimulants"], rop=True),
        None,
        None,
        ("home_all_tsb", UNN),
        OUTPATIENT,
        1,
        exclude=LAR | {"avrusning"},
        catchment="unn",
        missing=("stimulants",),
    ),
    Vignette(
        "16-year-old using cannabis in Drammen",
        "Drammen",
        dict(age=16, substances=["cannabis"]),
        4,
        "inferred",
        ("none_known", None),
        OUTPATIENT,
        1,
        exclude=LAR | {"avrusning", "akutt"},
        catchment="vestre-viken",
    ),
    Vignette(
        "25-year-old wanting LAR in Trondheim",
        "Trondheim",
        dict(age=25, substances=["opioids"], lar="wanted"),
        12,
        "verified",
        ("home_lar_team", STOLAV_LAR),
        LAR,
        1,
        include=LAR | OUTPATIENT,
    ),
    Vignette(
        "alcohol above 20 units with detox, Trondheim",
        "Trondheim",
        dict(age=45, substances=["alcohol"], alcohol_over_20_units=True, detox=True),
        2,
        "verified",
        ("home_all_tsb", STOLAV_30_PLUS),
        {"avrusning"},
        3,
        include={"avrusning"} | OUTPATIENT,
        exclude=LAR | {"akutt"},
    ),
    Vignette(
        "45-year-old, alcohol, Stavanger (one intake team for all TSB referrals in the area)",
        "Stavanger",
        dict(age=45, substances=["alcohol"]),
        6,
        "verified",
        ("home_all_tsb", STAVANGER_IO),
        OUTPATIENT,
        1,
    ),
    Vignette(
        "LAR patient moving to Kristiansand",
        "Kristiansand",
        dict(age=38, substances=["opioids"], lar="current"),
        12,
        "verified",
        ("home_lar_team", SORLANDET_LAR),
        LAR,
        1,
        include=LAR,
    ),
    Vignette(
        "HOL §10-2, alcohol, Bodø",
        "Bodø",
        dict(age=50, substances=["alcohol"], coercion="hol_10_2"),
        6,
        "verified",
        ("home_all_tsb", NORDLAND),
        INPATIENT | {"avrusning", "akutt"},
        3,
        exclude=OUTPATIENT | LAR | {"dogn_lang"},
    ),
    Vignette(
        # #11: an acute crisis takes the acute path (was: 2 weeks, routed by catchment).
        "acute crisis, groin injection, Oslo without district",
        "Oslo",
        dict(age=30, substances=["opioids"], injecting_groin_neck=True, acute_crisis=True),
        None,
        None,
        ("acute_direct", None),
        {"akutt"},
        4,
        include={"akutt", "avrusning"} | LAR,
        catchment=None,
    ),
    Vignette(
        "17-year-old cannabis, Hammerfest",
        "Hammerfest",
        dict(age=17, substances=["cannabis"]),
        4,
        "inferred",
        ("home_all_tsb", FINNMARK),
        OUTPATIENT,
        1,
        exclude=LAR,
    ),
    Vignette(
        "17-year-old alcohol with detox, Tromsø (18+ detox excluded)",
        "Tromsø",
        dict(age=17, substances=["alcohol"], detox=True),
        4,
        "verified",
        ("home_all_tsb", UNN),
        {"avrusning"},
        3,
    ),
    Vignette(
        "22-year-old groin injection, Bergen",
        "Bergen",
        dict(age=22, substances=["opioids"], injecting_groin_neck=True),
        2,
        "verified",
        ("home_all_tsb", BERGEN_TEAM),
        OUTPATIENT | LAR,
        1,
        include=LAR,
    ),
    Vignette(
        # #11: an acute crisis takes the acute path (was: 6 weeks and Bergen's assessment team).
        "acute crisis, alcohol, Bergen",
        "Bergen",
        dict(age=60, substances=["alcohol"], acute_crisis=True),
        None,
        None,
        ("acute_direct", None),
        {"akutt"},
        4,
        include={"akutt", "avrusning"},
    ),
    Vignette(
        "19-year-old gaming, Trondheim (under-30 team)",
        "Trondheim",
        dict(age=19, substances=["gaming"]),
        4,
        "inferred",
        ("home_all_tsb", STOLAV_UNDER_30),
        OUTPATIENT,
        1,
        exclude=LAR | {"avrusning"},
    ),
    Vignette(
        "anabolic steroids, Trondheim",
        "Trondheim",
        dict(age=35, substances=["anabolic_steroids"]),
        None,
        None,
        ("home_all_tsb", STOLAV_30_PLUS),
        OUTPATIENT,
        1,
        missing=("anabolic_steroids",),
    ),
    Vignette(
        "alcohol, inpatient preference, Molde",
        "Molde",
        dict(age=44, substances=["alcohol"], preferences={"setting": "inpatient"}),
        6,
        "verified",
        ("home_scope_unknown", HMR_INPATIENT),
        INPATIENT,
        3,
        exclude=OUTPATIENT | {"dag"},
    ),
    Vignette(
        "LAR, public providers only, Bodø",
        "Bodø",
        dict(age=30, substances=["opioids"], lar="current", preferences={"public_only": True}),
        12,
        "verified",
        ("home_all_tsb", NORDLAND),
        LAR,
        1,
        include=LAR,
    ),
    Vignette(
        "20-year-old in prison, stimulants, Fredrikstad",
        "Fredrikstad",
        dict(age=20, substances=["stimulants"], in_prison=True),
        4,
        "inferred",
        ("none_known", None),
        OUTPATIENT,
        1,
        exclude=LAR,
    ),
    Vignette(
        "gambling with children in care, Skien",
        "Skien",
        dict(age=33, sex="female", substances=["gambling"], children_in_care=True),
        12,
        "verified",
        # Pass 2 found Borgestad's intake office, a vurderingsinstans in Telemark whose scope is not stated.
        ("home_scope_unknown", "bla-kors-borgestadklinikken-vurderingsinstans-inntakskontor"),
        OUTPATIENT,
        1,
        catchment="telemark",
    ),
    Vignette(
        "alcohol within 50 km, Levanger",
        "Levanger",
        dict(age=55, substances=["alcohol"], preferences={"max_distance_km": 50}),
        6,
        "verified",
        ("home_all_tsb", HNT),
        OUTPATIENT,
        1,
    ),
    Vignette(
        "HOL §10-2, opioids, Arendal",
        "Arendal",
        dict(age=41, substances=["opioids"], coercion="hol_10_2"),
        12,
        "verified",
        ("home_all_tsb", SORLANDET),
        INPATIENT | {"avrusning", "akutt"},
        3,
        exclude=OUTPATIENT,
    ),
    Vignette(
        "24-year-old cannabis, Sandnes",
        "Sandnes",
        dict(age=24, substances=["cannabis"]),
        None,
        None,
        ("home_all_tsb", STAVANGER_IO),
        OUTPATIENT,
        1,
        missing=("cannabis",),
    ),
    Vignette(
        "pregnant, alcohol, Lillehammer, voluntary",
        "Lillehammer",
        dict(age=27, sex="female", substances=["alcohol"], pregnant=True),
        6,
        "verified",
        ("none_known", None),
        OUTPATIENT,
        1,
        missing=("pregnancy",),
    ),
    Vignette(
        "19-year-old wanting LAR, Stavanger",
        "Stavanger",
        dict(age=19, substances=["opioids"], lar="wanted"),
        4,
        "verified",
        ("home_all_tsb", STAVANGER_IO),
        LAR,
        1,
        include=LAR,
    ),
    Vignette(
        "50-year-old wanting LAR, Tromsø",
        "Tromsø",
        dict(age=50, substances=["opioids"], lar="wanted"),
        12,
        "verified",
        ("home_all_tsb", UNN),
        LAR,
        1,
        include=LAR,
    ),
    Vignette(
        "alcohol, outpatient preference, Frogner",
        "Frogner",
        dict(age=38, substances=["alcohol"], preferences={"setting": "outpatient"}),
        6,
        "verified",
        ("none_known", None),
        OUTPATIENT,
        1,
        exclude=INPATIENT | {"avrusning", "akutt"},
        catchment="diakonhjemmet",
    ),
    Vignette(
        "15-year-old ROP with cannabis, Kristiansand",
        "Kristiansand",
        dict(age=15, substances=["cannabis"], rop=True),
        4,
        "inferred",
        ("home_all_tsb", SORLANDET),
        OUTPATIENT,
        1,
    ),
    Vignette(
        "Polish-speaking, alcohol, Trondheim",
        "Trondheim",
        dict(age=31, substances=["alcohol"], language="pl"),
        6,
        "verified",
        ("home_all_tsb", STOLAV_30_PLUS),
        OUTPATIENT,
        1,
    ),
    Vignette(
        "gambling, Haugesund",
        "Haugesund",
        dict(age=45, substances=["gambling"]),
        12,
        "verified",
        # Pass 3 found Blå Kors Haugaland's vurderingsenhet in Fonna; whether it assesses for others is not stated.
        (
            "home_scope_unknown",
            "vurderingsenheten-bla-kors-haugaland-a-senter-now-bla-kors-klinikk-haugaland",
        ),
        OUTPATIENT,
        1,
    ),
    Vignette(
        # #11: more than 20 units a day implies detox (rules/implied.yaml); was: outpatient first, no detox.
        "65-year-old, over 20 units, Sør-Varanger",
        "Sør-Varanger",
        dict(age=65, substances=["alcohol"], alcohol_over_20_units=True),
        2,
        "verified",
        ("home_all_tsb", FINNMARK),
        {"avrusning"},
        3,
        include={"avrusning"} | OUTPATIENT,
    ),
    Vignette(
        "ROP with prescription drugs and detox, Sunnfjord",
        "Sunnfjord",
        dict(age=40, substances=["prescription_drugs"], rop=True, detox=True),
        None,
        None,
        ("none_known", None),
        {"avrusning"},
        3,
        include={"avrusning"},
        missing=("prescription_drugs",),
    ),
]


def _area(snapshot: RegistrySnapshot, name: str) -> str:
    codes = [a.code for a in snapshot.geography.area_units.values() if a.name == name]
    assert len(codes) == 1, f"area name {name!r} is ambiguous or unknown: {codes}"
    return codes[0]


def _run(snapshot: RegistrySnapshot, v: Vignette) -> FinderResult:
    profile = NeedProfile(home_area=_area(snapshot, v.home), **v.profile)
    return find(snapshot, profile, today=TODAY, limit=500, explain=True)


def test_there_are_at_least_30_vignettes() -> None:
    assert len(VIGNETTES) >= 30


@pytest.mark.parametrize("v", VIGNETTES, ids=[v.name for v in VIGNETTES])
def test_vignette(bundled_snapshot: RegistrySnapshot, v: Vignette) -> None:
    result = _run(bundled_snapshot, v)
    # Eligible types: every offer not excluded (the listed results are scoped and capped per group, #11).
    excluded = {e.offer_id for e in result.excluded or ()}
    types = {o.service_type for o in bundled_snapshot.offers.values() if o.id not in excluded}
    assert {r.service_type for r in result.results} <= types
    assert result.results, "every vignette has at least one eligible service in the bundled data"
    assert result.deadline.weeks == v.weeks
    assert result.deadline.basis_status == v.status
    assert tuple(result.deadline.missing) == v.missing
    if v.weeks is not None:
        assert result.deadline.latest_start == date.fromordinal(TODAY.toordinal() + 7 * v.weeks)
    assert (result.routing.basis, result.routing.team_id) == v.route
    best = min(result.results, key=lambda r: r.rank)  # results are listed by scope group
    assert best.service_type in v.first
    assert best.level == v.first_level
    assert v.include <= types, f"missing {v.include - types}"
    assert not (v.exclude & types), f"unexpected {v.exclude & types}"
    assert "vurdering" not in types
    if v.catchment != "?":
        assert result.home.catchment_code == v.catchment


def test_assessment_due_is_ten_working_days(bundled_snapshot: RegistrySnapshot) -> None:
    result = _run(bundled_snapshot, VIGNETTES[0])
    assert result.deadline.assessment_due == date(2026, 12, 7)  # Mon 23 Nov + 10 working days
    assert result.deadline.guidance is True


def test_coerced_results_all_state_the_basis(bundled_snapshot: RegistrySnapshot) -> None:
    result = _run(bundled_snapshot, VIGNETTES[1])
    assert all("hol_10_3" in r.legal_basis for r in result.results)
    assert result.excluded is not None
    codes = {reason.code for e in result.excluded for reason in e.reasons}
    assert "legal_basis_missing" in codes


def test_age_exclusion_is_explained(bundled_snapshot: RegistrySnapshot) -> None:
    v = next(v for v in VIGNETTES if v.name.startswith("17-year-old alcohol"))
    result = _run(bundled_snapshot, v)
    assert all(r.age_min is None or r.age_min <= 17 for r in result.results)
    assert result.excluded is not None
    tromso = next(e for e in result.excluded if e.offer_id == "unn-avrusning-tromso/avrusning")
    reason = next(r for r in tromso.reasons if r.code == "age_below_min")
    assert reason.params == {"age_min": 18, "age": 17}
    assert reason.en == "Accepts ages 18+, patient is 17"
    assert reason.nb == "Tar imot fra 18 år, pasienten er 17"


def test_own_catchment_first_within_level(bundled_snapshot: RegistrySnapshot) -> None:
    result = _run(bundled_snapshot, VIGNETTES[0])  # Finnmark
    first_level = [r for r in result.results if r.level == 1 and r.service_type in OUTPATIENT]
    seen_other = False
    for r in first_level:
        seen_other |= not r.in_home_catchment
        assert not (seen_other and r.in_home_catchment), "a home-catchment service after an outside one"


def test_every_result_lists_its_reasons(bundled_snapshot: RegistrySnapshot) -> None:
    for v in VIGNETTES[:5]:
        for r in _run(bundled_snapshot, v).results:
            codes = [reason.code for reason in r.reasons]
            assert codes[0] in {"need_met", "level", "below_need_level"}
            assert any(c in codes for c in ("own_catchment", "other_catchment", "catchment_unknown"))
            assert all(reason.nb and reason.en for reason in r.reasons)
