"""The record-kind table: the built-in kinds, and a fifth kind that is one declaration plus a table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date

import pytest
from sqlalchemy import Engine, String, Text, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from tests.registry import factories as f
from tsbkart.db.models import Base, ChangeRow, ProvenanceColumns
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import EMPTY, AssessmentTeam, Organisation, Provenance, ServiceOffer, Unit
from tsbkart.domain.schema import fact
from tsbkart.registry.history import as_of
from tsbkart.registry.kinds import GEOGRAPHY, KINDS, RecordKind
from tsbkart.registry.store import Delete, Registry, Upsert
from tsbkart.registry.validation import ValidationFailed


def test_the_built_in_kinds_in_insert_order() -> None:
    assert KINDS.names() == ("organisation", "team", "unit", "offer")
    assert [k.cls for k in KINDS] == [Organisation, AssessmentTeam, Unit, ServiceOffer]
    assert {k.table.name for k in KINDS} <= set(Base.metadata.tables)
    assert KINDS.of(f.offer()).name == "offer"
    with pytest.raises(TypeError, match="not a registry record"):
        KINDS.of(object())  # type: ignore[arg-type]


def test_every_kind_refers_only_to_kinds_declared_before_it_or_to_geography() -> None:
    seen: set[str] = set()
    for kind in KINDS:
        for name, target in kind.references.items():
            assert name in kind.cls.__dataclass_fields__, (kind.name, name)
            assert target in seen or target in GEOGRAPHY, (kind.name, target)
        if kind.parent is not None:
            assert kind.parent in kind.record_references()
        seen.add(kind.name)


def test_a_sheet_or_file_stem_names_its_kind() -> None:
    found = [KINDS.for_sheet(n) for n in ("tilbud", "Offers", "enheter", "unit", "x")]
    assert [k.name if k else None for k in found] == ["offer", "offer", "unit", "unit", None]


def test_a_kind_must_not_refer_to_an_undeclared_kind() -> None:
    bad = RecordKind("x", Note, NoteRow, "x", "x", "xs", references={"unit_id": "nothing"})
    with pytest.raises(ValueError, match="undeclared"):
        KINDS.declare(bad)
    assert "x" not in KINDS


# --- A fifth kind, declared here the way docs/architecture.md ("Add a kind") says ------------------------


@dataclass(frozen=True, slots=True)
class Note:
    """A remark about a unit (a stand-in for change sets, error reports, municipal services...)."""

    id: str = field(metadata=fact("Id"))
    unit_id: str = field(metadata=fact("Unit"))
    text: str = field(metadata=fact("Text", help="What was noted."))
    provenance: Provenance
    noted_on: date | None = field(default=None, metadata=fact("Noted on"))
    field_provenance: Mapping[str, Provenance] = field(default_factory=lambda: EMPTY)


class NoteBase(DeclarativeBase):
    """The test kind's table lives outside the application's metadata, so no other test sees it."""


class NoteRow(ProvenanceColumns, NoteBase):
    __tablename__ = "test_notes"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(120))
    text: Mapped[str] = mapped_column(Text)
    noted_on: Mapped[date | None] = mapped_column()


NOTE = RecordKind(
    name="note",
    cls=Note,
    row=NoteRow,
    sheet="merknader",
    label="note",
    plural="notes",
    parent="unit_id",
    references={"unit_id": "unit"},
)


@pytest.fixture
def notes(engine: Engine) -> Iterator[Engine]:
    NoteBase.metadata.create_all(engine)  # the kind's migration
    with KINDS.declared(NOTE):
        yield engine


def _note(**changes: object) -> Note:
    values: dict[str, object] = {"id": "n1", "unit_id": "unit-a", "text": "Ny adresse fra mars."}
    return Note(provenance=f.SOURCE, noted_on=date(2026, 3, 1), **(values | changes))  # type: ignore[arg-type]


def test_a_declared_kind_is_written_read_and_replayed_like_the_others(notes: Engine) -> None:
    registry = Registry(notes)
    records = [Upsert(f.organisation()), Upsert(f.unit()), Upsert(_note())]
    first = registry.commit(records, actor=Actor.cli("tester"), reason="with a note")
    snapshot = registry.snapshot()
    assert snapshot.records("note") == {"n1": _note()}
    assert set(snapshot.by_kind) == {"organisation", "team", "unit", "offer", "note"}
    with Session(notes) as session:
        change = session.scalars(select(ChangeRow).where(ChangeRow.kind == "note")).one()
    assert (change.parent_id, change.after["noted_on"]) == ("unit-a", "2026-03-01")
    registry.commit([Upsert(_note(text="Endret."))], actor=Actor.cli("tester"), reason="edit")
    assert registry.snapshot().records("note")["n1"].text == "Endret."  # type: ignore[attr-defined]
    assert as_of(notes, date(2100, 1, 1)).records("note") == registry.snapshot().records("note")
    registry.commit(
        [Delete("note", "n1"), Delete("unit", "unit-a")], actor=Actor.cli("tester"), reason="gone"
    )
    assert registry.snapshot().records("note") == {}
    assert first == 1


def test_a_declared_kind_gets_its_references_checked(notes: Engine) -> None:
    registry = Registry(notes)
    with pytest.raises(ValidationFailed) as failure:
        registry.commit([Upsert(_note(unit_id="nowhere"))], actor=Actor.cli("tester"), reason="orphan")
    assert [(p.kind, p.field, p.message) for p in failure.value.problems] == [
        ("note", "unit_id", "unit 'nowhere' does not exist")
    ]


def test_the_declaration_is_gone_after_the_block(notes: Engine) -> None:
    assert "note" in KINDS
    with KINDS.declared(RecordKind("note", Note, NoteRow, "m", "n", "ns", references={"unit_id": "unit"})):
        assert KINDS["note"].sheet == "m"
    assert KINDS["note"] is NOTE
