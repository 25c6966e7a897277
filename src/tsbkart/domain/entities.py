"""The registry's entities as immutable value objects.

These are what the finder, the analysis and the web layer read; storage (``tsbkart.db``) maps them to tables
and ``tsbkart.registry`` keeps their history. Codes (service types, target groups, ...) refer to the
vocabularies in ``tsbkart/vocab/data``. ``None`` always means *unknown*, never "no" or zero.

Shape, by example::

    Unit(id="ous-rusakutt", name="Rusakuttmottaket", organisation_id="ous", catchment_code="ous",
         municipality_code="0301", lat=59.91, lon=10.75, location_precision="municipality", ...)
    ServiceOffer(id="ous-rusakutt/akutt", unit_id="ous-rusakutt", service_type="akutt",
                 target_groups=("adults",), legal_basis=("voluntary", "hol_10_2"), open_24_7=True, ...)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from types import MappingProxyType
from typing import Protocol

from tsbkart.vocab import load_vocabularies

EMPTY: Mapping[str, Provenance] = MappingProxyType({})


@cache
def _precise_codes() -> frozenset[str]:
    terms = load_vocabularies()["location_precision"]
    return frozenset(t.code for t in terms if t.get("approximate") is False)


def is_approximate_precision(precision: str | None) -> bool:
    """True for a location precision that is not precise (``approximate`` in the vocabulary, or not in it)."""
    return precision is not None and precision not in _precise_codes()


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a fact comes from. Every registry record has one; single fields may override it."""

    source: str  # a URL or a document reference
    verified: date | None = None  # when the fact was last confirmed against the source
    steward: str | None = None  # who keeps the fact current (an organisation or a person's role)
    note: str | None = None


# --- Geography (reference data; versioned by valid_from/valid_to rather than by revisions) -----------------


@dataclass(frozen=True, slots=True)
class Region:
    """A regional health authority (RHF), e.g. code ``helse-nord``."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class CatchmentArea:
    """A health trust's catchment area (opptaksområde), e.g. code ``unn``, short name ``UNN``."""

    code: str
    name: str  # the responsible trust, e.g. "Universitetssykehuset Nord-Norge HF"
    short_name: str  # SKDE's area name, e.g. "UNN"
    region_code: str


@dataclass(frozen=True, slots=True)
class AreaUnit:
    """A municipality (4-digit code) or an Oslo city district (6-digit bydel code)."""

    code: str
    name: str
    kind: str  # "kommune" | "bydel"
    county: str
    catchment_code: str | None
    lat: float | None  # representative point, WGS84
    lon: float | None
    valid_from: date
    valid_to: date | None = None  # exclusive; None = still valid
    parent_code: str | None = None  # a bydel's municipality
    point_source: str | None = None


# --- Registry records (revisioned) ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Organisation:
    """A legal provider: a health trust, a private non-profit foundation, a municipality..."""

    id: str
    name: str
    owner_type: str  # vocab owner_types
    provenance: Provenance
    region_code: str | None = None
    orgnr: str | None = None  # organisasjonsnummer, mod-11 checked
    resh_id: str | None = None
    her_id: str | None = None
    website: str | None = None
    status_note: str | None = None  # e.g. agreement period or "contract status not verified"
    field_provenance: Mapping[str, Provenance] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True, slots=True)
class Unit:
    """A place where services are given: a ward, an outpatient clinic, a team, an institution."""

    id: str
    name: str
    organisation_id: str
    provenance: Provenance
    catchment_code: str | None = None
    region_code: str | None = None
    street_address: str | None = None
    postal_code: str | None = None
    town: str | None = None
    municipality_code: str | None = None
    lat: float | None = None
    lon: float | None = None
    location_precision: str | None = None  # vocab location_precision; None when there is no location
    phone: str | None = None
    website: str | None = None
    her_id: str | None = None
    resh_id: str | None = None
    beds: int | None = None  # inpatient beds at the unit as a source states them, not split by service
    description: str | None = None
    confidence: str | None = None  # "high" | "medium" as the source compiler judged it
    field_provenance: Mapping[str, Provenance] = field(default_factory=lambda: EMPTY)

    @property
    def is_approximate(self) -> bool:
        """A known precision that the ``location_precision`` vocabulary does not mark as precise."""
        return is_approximate_precision(self.location_precision)


@dataclass(frozen=True, slots=True)
class ServiceOffer:
    """One service type offered by a unit, with whom it is for and how to get in."""

    id: str
    unit_id: str
    service_type: str  # vocab service_types
    provenance: Provenance
    target_groups: tuple[str, ...] = ()  # vocab target_groups; empty = not stated
    legal_basis: tuple[str, ...] = ()  # vocab legal_basis; empty = not stated
    age_min: int | None = None
    age_max: int | None = None
    beds: int | None = None  # inpatient beds (døgnplasser)
    places: int | None = None  # outpatient, day or LAR places where a source states them
    waiting_weeks: float | None = None
    waiting_as_of: date | None = None
    intake_status: str = "unknown"  # vocab intake_status
    open_24_7: bool | None = None
    languages: tuple[str, ...] = ()  # ISO 639-1 codes
    assessment_team_id: str | None = None  # the team that receives referrals to this service
    referral_note: str | None = None
    description: str | None = None
    field_provenance: Mapping[str, Provenance] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True, slots=True)
class AssessmentTeam:
    """A vurderingsteam: decides within 10 working days whether a referred patient has a right to care."""

    id: str
    name: str
    provenance: Provenance
    organisation_id: str | None = None
    catchment_code: str | None = None
    region_code: str | None = None
    municipality_code: str | None = None
    town: str | None = None
    scope: str = "unknown"  # vocab assessment_scope
    scope_note: str | None = None
    age_min: int | None = None
    age_max: int | None = None
    referrals_per_year: int | None = None
    disciplines: tuple[str, ...] = ()  # vocab disciplines; empty = not known
    specialist_present: bool | None = None
    phone: str | None = None
    address: str | None = None
    her_id: str | None = None
    lat: float | None = None
    lon: float | None = None
    location_precision: str | None = None
    field_provenance: Mapping[str, Provenance] = field(default_factory=lambda: EMPTY)


class RegistryRecord(Protocol):
    """What every registry record has; the kinds are declared in ``tsbkart.registry.kinds``."""

    @property
    def id(self) -> str: ...

    @property
    def provenance(self) -> Provenance: ...

    @property
    def field_provenance(self) -> Mapping[str, Provenance]: ...
