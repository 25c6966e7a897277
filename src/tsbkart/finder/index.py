"""A per-snapshot index that makes a finder request fast: offers as numpy columns and offers grouped by their
*signature* (the fields eligibility reads), so the eligibility rules run once per distinct signature, not
once per offer, and the per-offer work (distance, ranking) is vectorised.

Built once per snapshot and kept with it (``RegistrySnapshot.derived``; a snapshot is immutable)::

    index = finder_index(snapshot)
    index.signatures[index.sig_of[i]]   # -> Signature of offer i (offers in snapshot id order)
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tsbkart.analysis.costs import Radians
from tsbkart.domain.entities import AssessmentTeam, ServiceOffer, Unit
from tsbkart.finder.ranking import static_order
from tsbkart.query.target_groups import stated_groups
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.vocab import load_vocabularies

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Signature:
    """Everything eligibility needs to know about an offer, apart from where it is."""

    service_type: str
    level: int
    target_groups: tuple[str, ...]
    legal_basis: tuple[str, ...]
    age_min: int | None
    age_max: int | None
    intake_status: str
    public: bool | None  # owner type public? None = organisation unknown
    languages: tuple[str, ...]


# Eligibility components: each reads only some of a signature's fields, so it is evaluated once per distinct
# value of those fields. name -> function(signature) -> the component's key.
COMPONENTS: dict[str, Callable[[Signature], Any]] = {
    "service": lambda s: (s.service_type, s.level),
    "age": lambda s: (s.age_min, s.age_max, _age_groups(s.target_groups)),
    # A legal basis may require a stated target group (levels.yaml legal_requirements): both are read.
    "legal": lambda s: (s.legal_basis, s.target_groups),
    "intake": lambda s: s.intake_status,
    "public": lambda s: s.public,
    "target": lambda s: s.target_groups,
}


def _age_groups(groups: tuple[str, ...]) -> tuple[str, ...]:
    vocab = load_vocabularies()["target_groups"]
    return tuple(g for g in groups if g in vocab.codes and vocab[g].get("kind") == "age")


@dataclass(frozen=True, slots=True)
class Component:
    keys: tuple[Any, ...]  # distinct values
    of_signature: IntArray  # signature number -> key number


@dataclass(frozen=True, slots=True)
class FinderIndex:
    offers: tuple[ServiceOffer, ...]
    units: tuple[Unit | None, ...]
    signatures: tuple[Signature, ...]
    sig_of: IntArray  # offer -> signature number
    components: dict[str, Component]
    lat: FloatArray  # unit location per offer, nan = unknown
    lon: FloatArray
    place_lat: FloatArray  # distinct known unit locations (distances are computed once per place)
    place_lon: FloatArray
    place_of: IntArray  # offer -> place number, -1 = location unknown
    place_radians: Radians  # the places in radians, for the haversine from each home
    located: IntArray  # the offers whose place is known, and their places
    located_place: IntArray
    place_or_unknown: IntArray  # offer -> place number, len(place_lat) = location unknown
    # Offers grouped by signature: signature s holds by_signature[signature_starts[s]:signature_starts[s + 1]].
    by_signature: IntArray
    signature_starts: IntArray
    approximate: npt.NDArray[np.bool_]  # unit location approximate
    catchment: npt.NDArray[np.object_]  # unit catchment code or None
    catchment_number: IntArray  # unit catchment as a number, -1 = unknown
    catchment_numbers: dict[str, int]
    # Health region per offer (the unit's catchment's region; else its organisation's RHF, e.g. a private
    # provider with an RHF agreement), -1 = unknown; numbers as in region_numbers.
    region_number: IntArray
    region_numbers: dict[str, int]
    service_type: npt.NDArray[np.object_]  # the offer's service type code
    service_type_number: IntArray  # the same as a number (equal codes, equal numbers), for fast set tests
    level: IntArray  # level of care of the offer's service type
    waiting: FloatArray  # waiting weeks, nan = unknown
    # The ranking's profile-independent last keys (waiting, then offer number): offers in that order, and each
    # offer's place in it (tsbkart.finder.ranking.ranked).
    static_order: IntArray
    static_rank: IntArray
    teams_by_catchment: dict[str, tuple[AssessmentTeam, ...]]
    units_at: dict[tuple[str, str | None], int]  # (organisation, municipality) -> number of units there
    # Great-circle km from a home point to every place, filled by the searches (search._great_circle_row).
    distance_rows: dict[tuple[float, float], FloatArray] = field(
        default_factory=dict, compare=False, repr=False
    )


def _signature(
    offer: ServiceOffer, snapshot: RegistrySnapshot, levels: dict[str, int], public: dict[str, bool]
) -> Signature:
    unit = snapshot.units.get(offer.unit_id)
    org = snapshot.organisations.get(unit.organisation_id) if unit else None
    return Signature(
        service_type=offer.service_type,
        level=levels.get(offer.service_type, 1),
        # The groups a source states for the offer, else for its unit (the level tsbkart.query.target_groups
        # reads): nothing is copied between them in the registry.
        target_groups=tuple(sorted(stated_groups(offer, unit)[0])),
        legal_basis=tuple(sorted(offer.legal_basis)),
        age_min=offer.age_min,
        age_max=offer.age_max,
        intake_status=offer.intake_status,
        public=public.get(org.owner_type) if org else None,
        languages=tuple(sorted(offer.languages)),
    )


def build_index(snapshot: RegistrySnapshot) -> FinderIndex:
    vocabs = load_vocabularies()
    levels = {t.code: int(t.get("level", 1)) for t in vocabs["service_types"]}
    public = {t.code: bool(t.get("public", False)) for t in vocabs["owner_types"]}
    offers = tuple(snapshot.offers.values())
    numbers: dict[Signature, int] = {}
    sig_of = np.empty(len(offers), dtype=np.int64)
    units: list[Unit | None] = []
    for i, offer in enumerate(offers):
        sig = _signature(offer, snapshot, levels, public)
        sig_of[i] = numbers.setdefault(sig, len(numbers))
        units.append(snapshot.units.get(offer.unit_id))
    teams: dict[str, list[AssessmentTeam]] = defaultdict(list)
    for team in snapshot.teams.values():
        if team.catchment_code:
            teams[team.catchment_code].append(team)
    units_at: dict[tuple[str, str | None], int] = defaultdict(int)
    for unit in snapshot.units.values():
        units_at[(unit.organisation_id, unit.municipality_code)] += 1
    nan = float("nan")
    catchment_numbers = {code: n for n, code in enumerate(sorted(snapshot.geography.catchments))}
    places: dict[tuple[float, float], int] = {}
    place_of = np.array(
        [
            places.setdefault((u.lat, u.lon), len(places))
            if u and u.lat is not None and u.lon is not None
            else -1
            for u in units
        ],
        dtype=np.int64,
    )
    place_lat = np.array([p[0] for p in places], dtype=np.float64)
    place_lon = np.array([p[1] for p in places], dtype=np.float64)
    located = np.flatnonzero(place_of >= 0).astype(np.int64)
    catchment_codes = [u.catchment_code if u else None for u in units]
    geography = snapshot.geography
    region_numbers = {code: n for n, code in enumerate(sorted(geography.regions))}

    def region(unit: Unit | None) -> int:
        if unit is None:
            return -1
        area = geography.catchments.get(unit.catchment_code or "")
        org = snapshot.organisations.get(unit.organisation_id)
        code = area.region_code if area is not None else (org.region_code if org else None)
        return region_numbers.get(code or "", -1)

    signatures = tuple(numbers)
    waiting = np.array(
        [o.waiting_weeks if o.waiting_weeks is not None else nan for o in offers], dtype=np.float64
    )
    in_order = static_order(waiting)
    static_rank = np.empty(len(offers), dtype=np.int64)
    static_rank[in_order] = np.arange(len(offers), dtype=np.int64)
    components = {}
    for name, key_of in COMPONENTS.items():
        keys: dict[Any, int] = {}
        of_signature = np.array(
            [keys.setdefault(key_of(sig), len(keys)) for sig in signatures], dtype=np.int64
        )
        components[name] = Component(keys=tuple(keys), of_signature=of_signature)
    return FinderIndex(
        offers=offers,
        units=tuple(units),
        signatures=signatures,
        sig_of=sig_of,
        components=components,
        lat=np.array([u.lat if u and u.lat is not None else nan for u in units], dtype=np.float64),
        lon=np.array([u.lon if u and u.lon is not None else nan for u in units], dtype=np.float64),
        place_lat=place_lat,
        place_lon=place_lon,
        place_of=place_of,
        place_radians=Radians.of(place_lat, place_lon),
        located=located,
        located_place=place_of[located],
        place_or_unknown=np.where(place_of >= 0, place_of, len(places)).astype(np.int64),
        by_signature=np.argsort(sig_of, kind="stable").astype(np.int64),
        signature_starts=np.searchsorted(np.sort(sig_of), np.arange(len(signatures) + 1)).astype(np.int64),
        approximate=np.array([bool(u and u.is_approximate) for u in units], dtype=np.bool_),
        catchment=np.array(catchment_codes, dtype=object),
        catchment_number=np.array(
            [catchment_numbers.get(c or "", -1) for c in catchment_codes], dtype=np.int64
        ),
        catchment_numbers=catchment_numbers,
        region_number=np.array([region(u) for u in units], dtype=np.int64),
        region_numbers=region_numbers,
        service_type=np.array([o.service_type for o in offers], dtype=object),
        service_type_number=_numbers([o.service_type for o in offers]),
        level=np.array([signatures[k].level for k in sig_of], dtype=np.int64),
        waiting=waiting,
        static_order=in_order,
        static_rank=static_rank,
        teams_by_catchment={k: tuple(sorted(v, key=lambda t: t.id)) for k, v in teams.items()},
        units_at=dict(units_at),
    )


def _numbers(codes: list[str]) -> IntArray:
    numbers: dict[str, int] = {}
    return np.array([numbers.setdefault(code, len(numbers)) for code in codes], dtype=np.int64)


def finder_index(snapshot: RegistrySnapshot) -> FinderIndex:
    """The index of ``snapshot``, built on first use and kept with the snapshot (``snapshot.derived``)."""
    return snapshot.derived("finder.index", build_index)
