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

from tsbkart.domain.identifiers import (
    validate_her_id,
    validate_language_code,
    validate_orgnr,
    validate_resh_id,
)
from tsbkart.domain.schedules import Schedule, check_schedule
from tsbkart.domain.schema import fact
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

    # a URL or a document reference
    source: str = field(
        metadata=fact(
            "Source",
            help="Source of the row's facts: a URL or a document reference.",
            example="https://helse-bergen.no/avdelinger/rusmedisin",
        )
    )
    # when the fact was last confirmed against the source
    verified: date | None = field(
        default=None,
        metadata=fact(
            "Verified",
            help="Date the facts were last checked against the source (YYYY-MM-DD).",
            example="2026-11-22",
        ),
    )
    # who keeps the fact current (an organisation or a person's role)
    steward: str | None = field(
        default=None,
        metadata=fact(
            "Steward",
            help="Who keeps the facts current (an organisation or a role).",
            example="Helse Bergen HF, Avdeling for rusmedisin",
        ),
    )
    note: str | None = field(
        default=None,
        metadata=fact(
            "Source note", help="Note on the source, e.g. what was derived.", key="provenance_note"
        ),
    )


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

    id: str = field(
        metadata=fact("Id", editable=False, help="Stable id (lower case, hyphens).", example="helse-bergen")
    )
    name: str = field(metadata=fact("Name", help="Name.", example="Helse Bergen HF"))
    # vocab owner_types
    owner_type: str = field(
        metadata=fact("Owner", help="Owner type.", example="hf", vocabulary="owner_types", shown=True)
    )
    provenance: Provenance
    region_code: str | None = field(
        default=None, metadata=fact("Region", help="Health region (RHF code).", example="helse-vest")
    )
    # organisasjonsnummer, mod-11 checked
    orgnr: str | None = field(
        default=None,
        metadata=fact(
            "Organisation number",
            help="Organisation number (9 digits, mod-11).",
            example="983974724",
            shown=True,
            check=validate_orgnr,
        ),
    )
    resh_id: str | None = field(
        default=None, metadata=fact("RESH id", help="RESH id.", shown=True, check=validate_resh_id)
    )
    her_id: str | None = field(
        default=None,
        metadata=fact("HER id", help="HER id (the address register).", shown=True, check=validate_her_id),
    )
    website: str | None = field(
        default=None,
        metadata=fact("Website", help="Website.", example="https://helse-bergen.no", shown=True, link=True),
    )
    # e.g. agreement period or "contract status not verified"
    status_note: str | None = field(
        default=None,
        metadata=fact("Status note", help="Status note, e.g. agreement period.", shown=True, multiline=True),
    )
    field_provenance: Mapping[str, Provenance] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True, slots=True)
class Unit:
    """A place where services are given: a ward, an outpatient clinic, a team, an institution."""

    id: str = field(metadata=fact("Id", editable=False, help="Stable id.", example="helse-bergen-mottak"))
    name: str = field(metadata=fact("Name", help="Name.", example="Mottaksklinikken"))
    organisation_id: str = field(
        metadata=fact(
            "Organisation",
            help="Id of the organisation the unit belongs to.",
            example="helse-bergen",
            editable=False,  # moving a unit to another organisation is not a steward's edit
        )
    )
    provenance: Provenance
    catchment_code: str | None = field(
        default=None, metadata=fact("Catchment area", help="Catchment area (code).", example="helse-bergen")
    )
    region_code: str | None = field(
        default=None, metadata=fact("Region", help="Health region (code).", example="helse-vest")
    )
    street_address: str | None = field(
        default=None,
        metadata=fact("Street address", help="Street address.", example="Haukelandsveien 1", shown=True),
    )
    postal_code: str | None = field(
        default=None, metadata=fact("Postal code", help="Postal code (4 digits).", example="5021", shown=True)
    )
    town: str | None = field(default=None, metadata=fact("Town", help="Town.", example="Bergen", shown=True))
    municipality_code: str | None = field(
        default=None,
        metadata=fact(
            "Municipality number",
            help="Municipality code (4 digits) or Oslo district code (6 digits).",
            example="4601",
            shown=True,
        ),
    )
    lat: float | None = field(
        default=None, metadata=fact("Latitude", help="Latitude (WGS84).", example="60.3731")
    )
    lon: float | None = field(
        default=None, metadata=fact("Longitude", help="Longitude (WGS84).", example="5.3583")
    )
    # vocab location_precision; None when there is no location
    location_precision: str | None = field(
        default=None,
        metadata=fact(
            "Location precision",
            help="How precise the position is (required when lat/lon are given).",
            example="address",
            vocabulary="location_precision",
            shown=True,
        ),
    )
    phone: str | None = field(
        default=None, metadata=fact("Phone", help="Phone.", example="55 97 50 00", shown=True)
    )
    website: str | None = field(
        default=None, metadata=fact("Website", help="Website.", shown=True, link=True)
    )
    her_id: str | None = field(
        default=None, metadata=fact("HER id", help="HER id.", shown=True, check=validate_her_id)
    )
    resh_id: str | None = field(
        default=None, metadata=fact("RESH id", help="RESH id.", shown=True, check=validate_resh_id)
    )
    # inpatient beds at the unit as a source states them, not split by service
    beds: int | None = field(
        default=None,
        metadata=fact(
            "Beds",
            help="Inpatient beds at the unit as the source states them.",
            example="12",
            shown=True,
            minimum=0,
        ),
    )
    description: str | None = field(
        default=None, metadata=fact("Description", help="Description.", shown=True, multiline=True)
    )
    # vocab target_groups; what a source states for the whole unit, never copied onto its offers (the offers
    # keep what a source states for them; tsbkart.query.target_groups.fit reads both levels); empty = not stated
    target_groups: tuple[str, ...] = field(
        default=(),
        metadata=fact(
            "Target groups of the unit",
            help="Target groups a source states for the whole unit, separated by semicolons.",
            example="young;rop",
            vocabulary="target_groups",
            shown=True,
        ),
    )
    # HSDS 3 schedule shape; empty = unknown (never "closed"); a cell holds "MO-FR 08:00-15:30; SA 10:00-14:00"
    opening_hours: tuple[Schedule, ...] = field(
        default=(),
        metadata=fact(
            "Opening hours",
            help="Opening hours: days (MO TU WE TH FR SA SU, a range MO-FR) and times HH:MM-HH:MM, entries "
            "separated by semicolons; empty = unknown.",
            example="MO-FR 08:00-15:30; SA 10:00-14:00",
            shown=True,
            check=check_schedule,
        ),
    )
    # vocab accessibility (HSDS 3 accessibility); empty = unknown, never "not accessible"
    accessibility: tuple[str, ...] = field(
        default=(),
        metadata=fact(
            "Physical accessibility",
            help="Physical accessibility of the premises, separated by semicolons; empty = unknown.",
            example="step_free_entrance;accessible_toilet",
            vocabulary="accessibility",
            shown=True,
        ),
    )
    # "high" | "medium" as the source compiler judged it
    confidence: str | None = field(
        default=None,
        metadata=fact(
            "Confidence of the compiled record",
            help="The source compiler's confidence: high or medium.",
            example="high",
            choices=(
                "high",
                "medium",
            ),
            shown=True,
            editable=False,  # the source compiler's judgement, not a steward's
        ),
    )
    # Valid time (#13): when the unit opened and closed as a source states it; None = not stated (unknown),
    # never "always open". Trends count a unit from ``opened_on``, not from when the registry recorded it.
    opened_on: date | None = field(
        default=None,
        metadata=fact("Opened on", help="Date the unit opened.", example="2026-03-01", shown=True),
    )
    closed_on: date | None = field(
        default=None,
        metadata=fact("Closed on", help="Date the unit closed (empty = open or not stated).", shown=True),
    )
    field_provenance: Mapping[str, Provenance] = field(default_factory=lambda: EMPTY)

    @property
    def is_approximate(self) -> bool:
        """A known precision that the ``location_precision`` vocabulary does not mark as precise."""
        return is_approximate_precision(self.location_precision)


@dataclass(frozen=True, slots=True)
class ServiceOffer:
    """One service type offered by a unit, with whom it is for and how to get in."""

    id: str = field(
        metadata=fact(
            "Id",
            help="Stable id, usually <unit>/<service type>.",
            example="helse-bergen-mottak/akutt",
            editable=False,
        )
    )
    unit_id: str = field(
        metadata=fact("Unit", help="Id of the unit.", example="helse-bergen-mottak", editable=False)
    )
    # vocab service_types
    service_type: str = field(
        metadata=fact("Service type", help="Service type.", example="akutt", vocabulary="service_types")
    )
    provenance: Provenance
    # vocab target_groups; empty = not stated
    target_groups: tuple[str, ...] = field(
        default=(),
        metadata=fact(
            "Target groups",
            help="Target groups, separated by semicolons.",
            example="adults;rop",
            vocabulary="target_groups",
            shown=True,
        ),
    )
    # vocab legal_basis; empty = not stated
    legal_basis: tuple[str, ...] = field(
        default=(),
        metadata=fact(
            "Legal basis",
            help="Legal basis, separated by semicolons.",
            example="voluntary;hol_10_2",
            vocabulary="legal_basis",
            shown=True,
        ),
    )
    age_min: int | None = field(
        default=None, metadata=fact("Minimum age", help="Lowest age (years).", example="18", shown=True)
    )
    age_max: int | None = field(
        default=None, metadata=fact("Maximum age", help="Highest age (years).", shown=True)
    )
    # inpatient beds (døgnplasser)
    beds: int | None = field(
        default=None, metadata=fact("Beds", help="Inpatient beds.", example="8", shown=True, minimum=0)
    )
    # outpatient, day or LAR places where a source states them
    places: int | None = field(
        default=None, metadata=fact("Places", help="Outpatient, day or LAR places.", shown=True, minimum=0)
    )
    waiting_weeks: float | None = field(
        default=None,
        metadata=fact(
            "Waiting time (weeks)", help="Waiting time in weeks.", example="2.5", shown=True, minimum=0
        ),
    )
    waiting_as_of: date | None = field(
        default=None,
        metadata=fact(
            "Waiting time as of",
            help="Date the waiting time was measured (required with a waiting time).",
            example="2026-11-01",
            shown=True,
        ),
    )
    # vocab intake_status
    intake_status: str = field(
        default="unknown",
        metadata=fact(
            "Intake",
            help="Intake status; empty = unknown.",
            example="open",
            vocabulary="intake_status",
            shown=True,
        ),
    )
    open_24_7: bool | None = field(
        default=None,
        metadata=fact(
            "Open around the clock", help="Open 24/7 (yes/no; empty = unknown).", example="ja", shown=True
        ),
    )
    # vocab delivery_methods; empty = unknown
    delivery_methods: tuple[str, ...] = field(
        default=(),
        metadata=fact(
            "Delivery method",
            help="How the service is delivered (in person, outreach, digital), separated by semicolons; empty = "
            "unknown.",
            example="in_person;digital",
            vocabulary="delivery_methods",
            shown=True,
        ),
    )
    # ISO 639-1 codes
    languages: tuple[str, ...] = field(
        default=(),
        metadata=fact(
            "Languages",
            help="Languages (ISO 639-1), separated by semicolons.",
            example="nb;en",
            shown=True,
            check=validate_language_code,
        ),
    )
    # the team that receives referrals to this service
    assessment_team_id: str | None = field(
        default=None,
        metadata=fact(
            "Assessment team",
            help="Id of the assessment team that receives referrals.",
            example="helse-bergen-vurdering",
        ),
    )
    referral_note: str | None = field(
        default=None, metadata=fact("How to refer", help="About referral.", shown=True, multiline=True)
    )
    description: str | None = field(
        default=None, metadata=fact("Description", help="Description.", shown=True, multiline=True)
    )
    # Valid time (#13), as for units: the service's own dates as its source states them.
    opened_on: date | None = field(
        default=None,
        metadata=fact("Opened on", help="Date the service opened.", example="2024-09-01", shown=True),
    )
    closed_on: date | None = field(
        default=None,
        metadata=fact("Closed on", help="Date the service closed (empty = open or not stated).", shown=True),
    )
    field_provenance: Mapping[str, Provenance] = field(default_factory=lambda: EMPTY)


@dataclass(frozen=True, slots=True)
class ValidPeriod:
    """When a source states a unit or service was in the world: from ``opened_on`` until ``closed_on``
    (excluded); ``None`` = not stated. Of an offer together with its unit (``valid_period(offer, unit)``) it is
    the latest stated opening and the earliest stated closing: an offer is not offered at a closed unit::

        valid_period(ServiceOffer(..., closed_on=date(2024, 6, 1)), unit).in_service_on(date(2024, 6, 1))  # False
    """

    opened_on: date | None = None
    closed_on: date | None = None

    def in_service_on(self, day: date) -> bool:
        """Not before a stated opening and not from a stated closing on; unknown dates do not exclude."""
        opened = self.opened_on is None or self.opened_on <= day
        return opened and (self.closed_on is None or day < self.closed_on)


def valid_period(*records: Unit | ServiceOffer | None) -> ValidPeriod:
    """The period all of ``records`` are in service together (``None`` records are skipped)."""
    opened = [r.opened_on for r in records if r is not None and r.opened_on is not None]
    closed = [r.closed_on for r in records if r is not None and r.closed_on is not None]
    return ValidPeriod(max(opened, default=None), min(closed, default=None))


@dataclass(frozen=True, slots=True)
class AssessmentTeam:
    """A vurderingsteam: decides within 10 working days whether a referred patient has a right to care."""

    id: str = field(metadata=fact("Id", editable=False, help="Stable id.", example="helse-bergen-vurdering"))
    name: str = field(metadata=fact("Name", help="Name.", example="Vurderingsteam TSB, Helse Bergen"))
    provenance: Provenance
    organisation_id: str | None = field(
        default=None,
        metadata=fact("Organisation", help="Id of the organisation.", example="helse-bergen", editable=False),
    )
    catchment_code: str | None = field(
        default=None, metadata=fact("Catchment area", help="Catchment area (code).", example="helse-bergen")
    )
    region_code: str | None = field(
        default=None, metadata=fact("Region", help="Health region (code).", example="helse-vest")
    )
    municipality_code: str | None = field(
        default=None, metadata=fact("Municipality number", help="Municipality code.", example="4601")
    )
    town: str | None = field(default=None, metadata=fact("Town", help="Place.", example="Bergen"))
    # vocab assessment_scope
    scope: str = field(
        default="unknown",
        metadata=fact(
            "Scope",
            help="What the team assesses for; empty = unknown.",
            example="all_tsb",
            vocabulary="assessment_scope",
        ),
    )
    scope_note: str | None = field(
        default=None, metadata=fact("Scope note", help="Note on scope.", multiline=True)
    )
    age_min: int | None = field(default=None, metadata=fact("Minimum age", help="Lowest age."))
    age_max: int | None = field(default=None, metadata=fact("Maximum age", help="Highest age."))
    referrals_per_year: int | None = field(
        default=None, metadata=fact("Referrals per year", help="Referrals per year.")
    )
    # vocab disciplines; empty = not known
    disciplines: tuple[str, ...] = field(
        default=(),
        metadata=fact(
            "Disciplines",
            help="Disciplines in the team, separated by semicolons.",
            example="medical;psychology;social_work",
            vocabulary="disciplines",
        ),
    )
    specialist_present: bool | None = field(
        default=None,
        metadata=fact("Specialist takes part", help="A specialist takes part (yes/no).", example="ja"),
    )
    phone: str | None = field(default=None, metadata=fact("Phone", help="Phone."))
    address: str | None = field(default=None, metadata=fact("Address", help="Address for referrals."))
    her_id: str | None = field(
        default=None, metadata=fact("HER id", help="HER id (electronic referral).", check=validate_her_id)
    )
    lat: float | None = field(default=None, metadata=fact("Latitude", help="Latitude."))
    lon: float | None = field(default=None, metadata=fact("Longitude", help="Longitude."))
    location_precision: str | None = field(
        default=None,
        metadata=fact(
            "Location precision", help="How precise the position is.", vocabulary="location_precision"
        ),
    )
    field_provenance: Mapping[str, Provenance] = field(default_factory=lambda: EMPTY)


class RegistryRecord(Protocol):
    """What every registry record has; the kinds are declared in ``tsbkart.registry.kinds``."""

    @property
    def id(self) -> str: ...

    @property
    def provenance(self) -> Provenance: ...

    @property
    def field_provenance(self) -> Mapping[str, Provenance]: ...
