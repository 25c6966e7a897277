"""Validation of registry records: vocabulary codes, Norwegian identifiers, ranges and references.

Every problem is collected (never stop at the first), so an import can report all bad rows at once::

    Problem(kind="offer", id="x/akutt", field="service_type", message="'akut' is not a service type")
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from tsbkart.domain.entities import AssessmentTeam, Organisation, RegistryRecord, ServiceOffer, Unit, kind_of
from tsbkart.domain.identifiers import validate_her_id, validate_orgnr, validate_resh_id
from tsbkart.vocab import Vocabularies, load_vocabularies


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str
    id: str
    field: str
    message: str


class ValidationFailed(ValueError):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); first: {problems[0].field}: {problems[0].message}")


@dataclass(frozen=True, slots=True)
class KnownIds:
    """Ids a record may refer to: existing ones plus those in the same batch."""

    organisations: Collection[str]
    units: Collection[str]
    teams: Collection[str]
    catchments: Collection[str] | None = None  # None = geography not loaded; not checked
    regions: Collection[str] | None = None
    area_units: Collection[str] | None = None


Codes = Mapping[str, frozenset[str]]  # vocabulary name -> its codes
_CODE_SETS: dict[int, tuple[Vocabularies, Codes]] = {}


def _code_sets(vocabs: Vocabularies) -> Codes:
    # Checked for every record and field: build the code sets once per loaded Vocabularies object (kept alive
    # in the cache entry, so its id cannot be reused by another object).
    entry = _CODE_SETS.get(id(vocabs))
    if entry is None:
        entry = _CODE_SETS[id(vocabs)] = (
            vocabs,
            {name: frozenset(vocabs[name].codes) for name in vocabs.by_name},
        )
    return entry[1]


_IDENTIFIER_CHECKS: Mapping[str, Callable[[str], str]] = {
    "orgnr": validate_orgnr,
    "resh_id": validate_resh_id,
    "her_id": validate_her_id,
}


def _check_identifiers(record: RegistryRecord, add: Callable[[str, str], None]) -> None:
    for name, check in _IDENTIFIER_CHECKS.items():
        value = getattr(record, name, None)
        if value is None:
            continue
        try:
            check(value)
        except ValueError as error:
            add(name, str(error))


def _check_location(record: Unit | AssessmentTeam, add: Callable[[str, str], None], codes: Codes) -> None:
    if (record.lat is None) != (record.lon is None):
        add("lat", "lat and lon must both be given or both be empty")
    if record.lat is not None and not -90 <= record.lat <= 90:
        add("lat", f"latitude {record.lat} is outside -90..90")
    if record.lon is not None and not -180 <= record.lon <= 180:
        add("lon", f"longitude {record.lon} is outside -180..180")
    precision = record.location_precision
    if precision is not None and precision not in codes["location_precision"]:
        add("location_precision", f"{precision!r} is not a location precision")
    if record.lat is not None and precision is None:
        add("location_precision", "coordinates need a precision (exact, address or municipality)")


def _check_age_band(record: ServiceOffer | AssessmentTeam, add: Callable[[str, str], None]) -> None:
    for name in ("age_min", "age_max"):
        value = getattr(record, name)
        if value is not None and not 0 <= value <= 120:
            add(name, f"age {value} is outside 0..120")
    if record.age_min is not None and record.age_max is not None and record.age_min > record.age_max:
        add("age_min", f"age_min {record.age_min} is above age_max {record.age_max}")


def _check_offer(o: ServiceOffer, known: KnownIds, add: Callable[[str, str], None], codes: Codes) -> None:
    if o.service_type not in codes["service_types"]:
        add("service_type", f"{o.service_type!r} is not a service type")
    if o.target_groups and not codes["target_groups"].issuperset(o.target_groups):
        for code in o.target_groups:
            if code not in codes["target_groups"]:
                add("target_groups", f"{code!r} is not a target group")
    if o.legal_basis and not codes["legal_basis"].issuperset(o.legal_basis):
        for code in o.legal_basis:
            if code not in codes["legal_basis"]:
                add("legal_basis", f"{code!r} is not a legal basis")
    if o.intake_status not in codes["intake_status"]:
        add("intake_status", f"{o.intake_status!r} is not an intake status")
    if o.unit_id not in known.units:
        add("unit_id", f"unit {o.unit_id!r} does not exist")
    if o.assessment_team_id is not None and o.assessment_team_id not in known.teams:
        add("assessment_team_id", f"assessment team {o.assessment_team_id!r} does not exist")
    for name, value in (("beds", o.beds), ("places", o.places), ("waiting_weeks", o.waiting_weeks)):
        if value is not None and value < 0:
            add(name, f"{name} must not be negative")
    if o.waiting_weeks is not None and o.waiting_as_of is None:
        add("waiting_as_of", "a waiting time needs the date it was measured")
    if o.age_min is not None or o.age_max is not None:
        _check_age_band(o, add)


def _check_geo_refs(
    record: Unit | AssessmentTeam | Organisation, known: KnownIds, add: Callable[[str, str], None]
) -> None:
    refs = (
        ("catchment_code", known.catchments, "catchment area"),
        ("region_code", known.regions, "region"),
        ("municipality_code", known.area_units, "municipality or bydel"),
    )
    for name, allowed, label in refs:
        value = getattr(record, name, None)
        if value is not None and allowed is not None and value not in allowed:
            add(name, f"{value!r} is not a known {label}")


def validate_records(
    records: Iterable[RegistryRecord], known: KnownIds, vocabs: Vocabularies | None = None
) -> list[Problem]:
    """All problems of ``records`` (empty list = valid)."""
    codes = _code_sets(vocabs or load_vocabularies())
    problems: list[Problem] = []
    for record in records:
        kind = kind_of(record)

        def add(field: str, message: str, _kind: str = kind, _id: str = record.id) -> None:
            problems.append(Problem(_kind, _id, field, message))

        if not record.id or not record.id.strip():
            add("id", "id must not be empty")
        if not record.name.strip() if hasattr(record, "name") else False:
            add("name", "name must not be empty")
        if not record.provenance.source.strip():
            add("source", "every record needs a source (URL or document)")
        _check_identifiers(record, add)
        if isinstance(record, Organisation):
            if record.owner_type not in codes["owner_types"]:
                add("owner_type", f"{record.owner_type!r} is not an owner type")
        elif isinstance(record, Unit):
            if record.organisation_id not in known.organisations:
                add("organisation_id", f"organisation {record.organisation_id!r} does not exist")
            if record.beds is not None and record.beds < 0:
                add("beds", "beds must not be negative")
            _check_location(record, add, codes)
        elif isinstance(record, AssessmentTeam):
            if record.scope not in codes["assessment_scope"]:
                add("scope", f"{record.scope!r} is not an assessment scope")
            for code in record.disciplines:
                if code not in codes["disciplines"]:
                    add("disciplines", f"{code!r} is not a discipline")
            if record.organisation_id is not None and record.organisation_id not in known.organisations:
                add("organisation_id", f"organisation {record.organisation_id!r} does not exist")
            _check_location(record, add, codes)
            _check_age_band(record, add)
        else:
            _check_offer(record, known, add, codes)
        if not isinstance(record, ServiceOffer):
            _check_geo_refs(record, known, add)
    return problems
