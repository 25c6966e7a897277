"""Tables. Models hold data and invariants; queries live in ``tsbkart.registry``.

Registry records (organisations, units, service offers, assessment teams) are the materialised current state;
their full history is in ``revisions`` + ``changes`` (before/after JSON per record), from which the current
state can be rebuilt exactly (``tsbkart.registry.history.replay``). Each record's ``version`` is the id of the
revision that last wrote it: a write states the version it was based on, and a stale one is refused.
Geography and population are reference data, versioned by validity dates and the dataset they came from.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from tsbkart.domain.actors import WRITER_KINDS

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class ProvenanceColumns:
    """Record-level provenance; ``field_provenance`` holds per-field overrides as JSON. Also the record's
    ``version``: the id of the revision that last wrote it (not part of the record's JSON)."""

    version: Mapped[int] = mapped_column(Integer)

    source: Mapped[str] = mapped_column(Text)
    verified: Mapped[date | None] = mapped_column(Date)
    steward: Mapped[str | None] = mapped_column(String(200))
    provenance_note: Mapped[str | None] = mapped_column(Text)
    field_provenance: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


# --- Geography --------------------------------------------------------------------------------------------


class RegionRow(Base):
    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class CatchmentRow(Base):
    __tablename__ = "catchment_areas"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code", ondelete="RESTRICT"))


class AreaUnitRow(Base):
    __tablename__ = "area_units"
    __table_args__ = (
        CheckConstraint("kind IN ('kommune', 'bydel')", name="kind"),
        CheckConstraint("valid_to IS NULL OR valid_to > valid_from", name="validity"),
    )
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    valid_from: Mapped[date] = mapped_column(Date, primary_key=True)
    valid_to: Mapped[date | None] = mapped_column(Date)  # exclusive
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    county: Mapped[str] = mapped_column(String(100))
    catchment_code: Mapped[str | None] = mapped_column(
        ForeignKey("catchment_areas.code", ondelete="RESTRICT")
    )
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    parent_code: Mapped[str | None] = mapped_column(String(6))
    point_source: Mapped[str | None] = mapped_column(Text)


class PopulationRow(Base):
    """Residents on 1 January by single year of age (90 = 90 and older) and sex (SSB via FHI csdata)."""

    __tablename__ = "population"
    __table_args__ = (
        CheckConstraint("sex IN ('female', 'male')", name="sex"),
        CheckConstraint("age >= 0 AND age <= 90", name="age"),
        CheckConstraint("population >= 0", name="population"),
    )
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(6), primary_key=True)
    sex: Mapped[str] = mapped_column(String(6), primary_key=True)
    age: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    population: Mapped[int] = mapped_column(Integer)


# --- Registry records -------------------------------------------------------------------------------------


class OrganisationRow(ProvenanceColumns, Base):
    __tablename__ = "organisations"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    owner_type: Mapped[str] = mapped_column(String(40))
    region_code: Mapped[str | None] = mapped_column(String(40))
    orgnr: Mapped[str | None] = mapped_column(String(9))
    resh_id: Mapped[str | None] = mapped_column(String(9))
    her_id: Mapped[str | None] = mapped_column(String(9))
    website: Mapped[str | None] = mapped_column(Text)
    status_note: Mapped[str | None] = mapped_column(Text)


class UnitRow(ProvenanceColumns, Base):
    __tablename__ = "units"
    __table_args__ = (
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon"),
        CheckConstraint("beds IS NULL OR beds >= 0", name="beds"),
    )
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    organisation_id: Mapped[str] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    catchment_code: Mapped[str | None] = mapped_column(String(40), index=True)
    region_code: Mapped[str | None] = mapped_column(String(40))
    street_address: Mapped[str | None] = mapped_column(Text)
    postal_code: Mapped[str | None] = mapped_column(String(4))
    town: Mapped[str | None] = mapped_column(String(200))
    municipality_code: Mapped[str | None] = mapped_column(String(6))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    location_precision: Mapped[str | None] = mapped_column(String(20))
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(Text)
    her_id: Mapped[str | None] = mapped_column(String(9))
    resh_id: Mapped[str | None] = mapped_column(String(9))
    beds: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)
    target_groups: Mapped[list[Any]] = mapped_column(JSON, default=list)
    opening_hours: Mapped[list[Any]] = mapped_column(JSON, default=list)
    accessibility: Mapped[list[Any]] = mapped_column(JSON, default=list)
    confidence: Mapped[str | None] = mapped_column(String(10))
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)


class AssessmentTeamRow(ProvenanceColumns, Base):
    __tablename__ = "assessment_teams"
    id: Mapped[str] = mapped_column(String(120), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    organisation_id: Mapped[str | None] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    catchment_code: Mapped[str | None] = mapped_column(String(40))
    region_code: Mapped[str | None] = mapped_column(String(40))
    municipality_code: Mapped[str | None] = mapped_column(String(6))
    town: Mapped[str | None] = mapped_column(String(200))
    scope: Mapped[str] = mapped_column(String(20))
    scope_note: Mapped[str | None] = mapped_column(Text)
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    referrals_per_year: Mapped[int | None] = mapped_column(Integer)
    disciplines: Mapped[list[Any]] = mapped_column(JSON, default=list)
    specialist_present: Mapped[bool | None] = mapped_column()
    phone: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(Text)
    her_id: Mapped[str | None] = mapped_column(String(9))
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    location_precision: Mapped[str | None] = mapped_column(String(20))


class ServiceOfferRow(ProvenanceColumns, Base):
    __tablename__ = "service_offers"
    __table_args__ = (
        CheckConstraint("beds IS NULL OR beds >= 0", name="beds"),
        CheckConstraint("places IS NULL OR places >= 0", name="places"),
        CheckConstraint("waiting_weeks IS NULL OR waiting_weeks >= 0", name="waiting"),
        CheckConstraint("age_min IS NULL OR age_max IS NULL OR age_min <= age_max", name="age_band"),
    )
    id: Mapped[str] = mapped_column(String(160), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id", ondelete="RESTRICT"), index=True)
    service_type: Mapped[str] = mapped_column(String(40), index=True)
    target_groups: Mapped[list[Any]] = mapped_column(JSON, default=list)
    legal_basis: Mapped[list[Any]] = mapped_column(JSON, default=list)
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    beds: Mapped[int | None] = mapped_column(Integer)
    places: Mapped[int | None] = mapped_column(Integer)
    waiting_weeks: Mapped[float | None] = mapped_column(Float)
    waiting_as_of: Mapped[date | None] = mapped_column(Date)
    intake_status: Mapped[str] = mapped_column(String(20))
    open_24_7: Mapped[bool | None] = mapped_column()
    delivery_methods: Mapped[list[Any]] = mapped_column(JSON, default=list)
    languages: Mapped[list[Any]] = mapped_column(JSON, default=list)
    assessment_team_id: Mapped[str | None] = mapped_column(
        ForeignKey("assessment_teams.id", ondelete="RESTRICT")
    )
    referral_note: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    opened_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)


# --- History ----------------------------------------------------------------------------------------------

# The database checks actor kinds too.
_ACTOR_KINDS = ", ".join(f"'{kind}'" for kind in WRITER_KINDS)


class RevisionRow(Base):
    """One write: who, when, why. Every change to a registry record belongs to exactly one revision.

    The actor is a typed reference (``tsbkart.registry.actors.Actor``: kind, id, display name); ``approved_by``
    is another, empty until a revision needs someone's approval.
    """

    __tablename__ = "revisions"
    __table_args__ = (
        CheckConstraint(f"actor_kind IN ({_ACTOR_KINDS})", name="actor_kind"),
        CheckConstraint(
            f"approved_by_kind IS NULL OR approved_by_kind IN ({_ACTOR_KINDS})", name="approved_by_kind"
        ),
        CheckConstraint(
            "(approved_by_kind IS NULL) = (approved_by_id IS NULL)"
            " AND (approved_by_id IS NULL) = (approved_by_name IS NULL)",
            name="approved_by",
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str] = mapped_column(String(200))
    actor_name: Mapped[str] = mapped_column(String(200))
    approved_by_kind: Mapped[str | None] = mapped_column(String(20))
    approved_by_id: Mapped[str | None] = mapped_column(String(200))
    approved_by_name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    reason: Mapped[str] = mapped_column(Text)
    change_count: Mapped[int] = mapped_column(Integer, default=0)


class ChangeRow(Base):
    """What one revision did to one record: op is create, update or delete; before/after are full records."""

    __tablename__ = "changes"
    __table_args__ = (
        CheckConstraint("op IN ('create', 'update', 'delete')", name="op"),
        Index("ix_changes_kind_entity", "kind", "entity_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    revision_id: Mapped[int] = mapped_column(ForeignKey("revisions.id", ondelete="RESTRICT"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[str] = mapped_column(String(160))
    # The record's parent (an offer's unit, a unit's organisation), so a unit's history finds its offers.
    parent_id: Mapped[str | None] = mapped_column(String(160), index=True)
    op: Mapped[str] = mapped_column(String(10))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
