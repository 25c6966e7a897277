"""A per-snapshot index that makes a finder request fast: offers as numpy columns and offers grouped by their
*signature* (the fields eligibility reads), so the eligibility rules run once per distinct signature, not
once per offer, and the per-offer work (distance, ranking) is vectorised.

Built once per snapshot and cached (a snapshot is immutable)::

    index = finder_index(snapshot)
    index.signatures[index.sig_of[i]]   # -> Signature of offer i (offers in snapshot id order)
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tsbkart.domain.entities import AssessmentTeam, ServiceOffer, Unit
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


@dataclass(frozen=True, slots=True)
class FinderIndex:
    offers: tuple[ServiceOffer, ...]
    units: tuple[Unit | None, ...]
    signatures: tuple[Signature, ...]
    sig_of: IntArray  # offer -> signature number
    lat: FloatArray  # unit location, nan = unknown
    lon: FloatArray
    approximate: npt.NDArray[np.bool_]  # unit location approximate
    catchment: npt.NDArray[np.object_]  # unit catchment code or None
    waiting: FloatArray  # waiting weeks, nan = unknown
    teams_by_catchment: dict[str, tuple[AssessmentTeam, ...]]
    units_at: dict[tuple[str, str | None], int]  # (organisation, municipality) -> number of units there


def _signature(
    offer: ServiceOffer, snapshot: RegistrySnapshot, levels: dict[str, int], public: dict[str, bool]
) -> Signature:
    unit = snapshot.units.get(offer.unit_id)
    org = snapshot.organisations.get(unit.organisation_id) if unit else None
    return Signature(
        service_type=offer.service_type,
        level=levels.get(offer.service_type, 1),
        target_groups=tuple(sorted(offer.target_groups)),
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
    return FinderIndex(
        offers=offers,
        units=tuple(units),
        signatures=tuple(numbers),
        sig_of=sig_of,
        lat=np.array([u.lat if u and u.lat is not None else nan for u in units], dtype=np.float64),
        lon=np.array([u.lon if u and u.lon is not None else nan for u in units], dtype=np.float64),
        approximate=np.array([bool(u and u.is_approximate) for u in units], dtype=np.bool_),
        catchment=np.array([u.catchment_code if u else None for u in units], dtype=object),
        waiting=np.array([o.waiting_weeks if o.waiting_weeks is not None else nan for o in offers]),
        teams_by_catchment={k: tuple(v) for k, v in teams.items()},
        units_at=dict(units_at),
    )


_CACHE: OrderedDict[int, tuple[RegistrySnapshot, FinderIndex]] = OrderedDict()
_LOCK = threading.Lock()
_CACHE_SIZE = 4


def finder_index(snapshot: RegistrySnapshot) -> FinderIndex:
    """The index of ``snapshot``, built on first use. The cache holds the snapshot itself, so an id is never
    reused for another snapshot while its entry lives."""
    key = id(snapshot)
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None and hit[0] is snapshot:
            _CACHE.move_to_end(key)
            return hit[1]
    index = build_index(snapshot)
    with _LOCK:
        _CACHE[key] = (snapshot, index)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return index
