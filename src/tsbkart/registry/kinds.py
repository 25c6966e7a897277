"""The record kinds: one declaration per kind, from which storage, history, validation, the snapshot and
import/export take what they need. Nothing else lists the kinds.

Shape::

    KINDS["offer"]      # RecordKind(name="offer", cls=ServiceOffer, row=ServiceOfferRow, sheet="tilbud",
                        #            label="service offer", parent="unit_id",
                        #            references={"unit_id": "unit", "assessment_team_id": "team"}, ...)
    KINDS.of(offer)     # the RecordKind of a record (by its exact class)
    KINDS.names()       # ("organisation", "team", "unit", "offer"): referenced kinds before those referring

A reference names a record kind or one of ``GEOGRAPHY`` (reference data, checked when loaded). To add a
kind, declare it with ``KINDS.declare`` and add its table in a migration (docs/architecture.md, "Add a kind").
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from sqlalchemy import Table

from tsbkart.db.models import AssessmentTeamRow, OrganisationRow, ServiceOfferRow, UnitRow
from tsbkart.domain.entities import AssessmentTeam, Organisation, RegistryRecord, ServiceOffer, Unit
from tsbkart.registry import checks

# Reference targets that are reference data, not record kinds, with the words a problem uses for them.
GEOGRAPHY: Mapping[str, str] = MappingProxyType(
    {"catchment": "catchment area", "region": "region", "area_unit": "municipality or bydel"}
)
Check = Callable[[Any, checks.Add, checks.Codes], None]


@dataclass(frozen=True, slots=True)
class RecordKind:
    """One kind of registry record and everything generic code needs to know about it."""

    name: str  # as stored in revisions and used in CLI and API paths, e.g. "offer"
    cls: type[Any]  # the frozen dataclass in tsbkart.domain.entities
    row: type[Any]  # the ORM class of its table (tsbkart.db.models)
    sheet: str  # import/export sheet and CSV file stem, e.g. "tilbud"
    label: str  # English message id, singular ("service offer"); bokmål through the message catalogues
    plural: str  # English message id, plural ("service offers")
    parent: str | None = None  # field holding the parent record's id; the change log keeps it as parent_id
    references: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # field -> target
    checks: tuple[Check, ...] = ()  # rules beyond the generic ones (ids, names, sources, references)

    @property
    def table(self) -> Table:
        table = self.row.__table__
        assert isinstance(table, Table)
        return table

    def record_references(self) -> Mapping[str, str]:
        """The references that name record kinds (not geography)."""
        return {name: target for name, target in self.references.items() if target not in GEOGRAPHY}


class RecordKinds:
    """The declared kinds by name, in declaration order; a kind may only refer to kinds declared before it."""

    def __init__(self) -> None:
        self._kinds: dict[str, RecordKind] = {}
        self._by_class: dict[type[Any], RecordKind] = {}

    def declare(self, kind: RecordKind) -> RecordKind:
        unknown = [t for t in kind.references.values() if t not in GEOGRAPHY and t not in self._kinds]
        unknown = [t for t in unknown if t != kind.name]
        if unknown:
            raise ValueError(f"kind {kind.name!r} refers to undeclared kind(s) {unknown}")
        previous = self._kinds.get(kind.name)
        if previous is not None:
            del self._by_class[previous.cls]
        self._kinds[kind.name] = kind
        self._by_class[kind.cls] = kind
        return kind

    def remove(self, name: str) -> None:
        kind = self._kinds.pop(name)
        del self._by_class[kind.cls]

    @contextmanager
    def declared(self, kind: RecordKind) -> Iterator[RecordKind]:
        """Declare ``kind`` (or replace the kind of that name) for the duration; for tests of new kinds."""
        previous = self._kinds.get(kind.name)
        self.declare(kind)
        try:
            yield kind
        finally:
            if previous is None:
                self.remove(kind.name)
            else:
                self.declare(previous)  # in place: the kinds keep their order

    def __getitem__(self, name: str) -> RecordKind:
        return self._kinds[name]

    def __contains__(self, name: object) -> bool:
        return name in self._kinds

    def __iter__(self) -> Iterator[RecordKind]:
        """Referenced kinds before those referring to them: the order to insert (delete in reverse)."""
        return iter(tuple(self._kinds.values()))

    def names(self) -> tuple[str, ...]:
        return tuple(self._kinds)

    def of(self, record: RegistryRecord) -> RecordKind:
        try:
            return self._by_class[type(record)]
        except KeyError:
            raise TypeError(f"not a registry record: {record!r}") from None

    def for_sheet(self, name: str) -> RecordKind | None:
        """The kind a sheet or file stem names: its sheet name ("tilbud") or kind, singular or plural."""
        key = name.strip().lower()
        for kind in self:
            if key in (kind.sheet, kind.name, f"{kind.name}s"):
                return kind
        return None


KINDS = RecordKinds()
KINDS.declare(
    RecordKind(
        name="organisation",
        cls=Organisation,
        row=OrganisationRow,
        sheet="organisasjoner",
        label="organisation",
        plural="organisations",
        references=MappingProxyType({"region_code": "region"}),
    )
)
# Teams and units both belong to an organisation and are placed in the geography the same way.
PLACED_IN_ORGANISATION: Mapping[str, str] = MappingProxyType(
    {
        "organisation_id": "organisation",
        "catchment_code": "catchment",
        "region_code": "region",
        "municipality_code": "area_unit",
    }
)
KINDS.declare(
    RecordKind(
        name="team",
        cls=AssessmentTeam,
        row=AssessmentTeamRow,
        sheet="vurderingsteam",
        label="assessment team",
        plural="assessment teams",
        parent="organisation_id",
        references=PLACED_IN_ORGANISATION,
        checks=(checks.location, checks.age_band),
    )
)
KINDS.declare(
    RecordKind(
        name="unit",
        cls=Unit,
        row=UnitRow,
        sheet="enheter",
        label="unit",
        plural="units",
        parent="organisation_id",
        references=PLACED_IN_ORGANISATION,
        checks=(checks.location, checks.valid_time),
    )
)
KINDS.declare(
    RecordKind(
        name="offer",
        cls=ServiceOffer,
        row=ServiceOfferRow,
        sheet="tilbud",
        label="service offer",
        plural="service offers",
        parent="unit_id",
        references=MappingProxyType({"unit_id": "unit", "assessment_team_id": "team"}),
        checks=(checks.waiting_time, checks.age_band, checks.valid_time),
    )
)
