"""The data-quality report behind ``tsbkart check``, as plain data, and a text renderer for the CLI.

Categories (each with a count and the records in it)::

    report = check(snapshot, today=date(2026, 11, 22))
    [(c.code, c.count) for c in report.categories]
    # [("missing", 12), ("stale", 40), ("approximate", 31), ("outside_catchment", 3), ("no_assessment_route", 9)]
    report.categories[0].findings[0]
    # Finding(kind="unit", id="x", name="...", field="lat", detail="Unit without a location: not drawn ...")

Which fields are required for use is data (``rules.yaml``); when a fact is stale is ``freshness.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

from tsbkart.domain.calendar import today as norway_today
from tsbkart.domain.entities import (
    AssessmentTeam,
    Provenance,
    RegistryRecord,
    Unit,
    is_approximate_precision,
)
from tsbkart.quality.freshness import FreshnessRules, is_stale, load_freshness
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.yaml_schema import validate

TITLES = {
    "missing": {"nb": "Mangler felt som trengs for bruk", "en": "Missing fields needed for use"},
    "approximate": {"nb": "Omtrentlig posisjon", "en": "Approximate location"},
    "outside_catchment": {"nb": "Enheter utenfor opptaksområde", "en": "Units outside any catchment area"},
    "no_assessment_route": {
        "nb": "Tilbud uten vurderingsteam",
        "en": "Offers without an assessment team route",
    },
}


@dataclass(frozen=True, slots=True)
class Rule:
    kind: str
    any_of: tuple[str, ...]
    label: Mapping[str, str]
    why: str


@dataclass(frozen=True, slots=True)
class Rules:
    required_for_use: tuple[Rule, ...]
    freshness: FreshnessRules = field(default_factory=load_freshness)


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    id: str
    name: str
    field: str | None
    detail: str


@dataclass(frozen=True, slots=True)
class Category:
    code: str
    title: Mapping[str, str]
    findings: tuple[Finding, ...]

    @property
    def count(self) -> int:
        return len(self.findings)


@dataclass(frozen=True, slots=True)
class QualityReport:
    checked_on: date
    revision: int
    totals: Mapping[str, int]  # records per kind
    categories: tuple[Category, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "checked_on": self.checked_on.isoformat(),
            "revision": self.revision,
            "totals": dict(self.totals),
            "categories": [
                {
                    "code": c.code,
                    "title": dict(c.title),
                    "count": c.count,
                    "findings": [asdict(f) for f in c.findings],
                }
                for c in self.categories
            ],
        }


class _Label(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nb: str = Field(min_length=1)
    en: str = Field(min_length=1)


class _RuleModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: str
    any_of: tuple[str, ...] = Field(min_length=1)
    label: _Label
    why: str


class _RulesModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    required_for_use: tuple[_RuleModel, ...]


def parse_rules(document: object, origin: str = "rules.yaml") -> Rules:
    """Validate the rules document (pydantic); errors name the file and the entry."""
    model = validate(_RulesModel, document, origin)
    return Rules(
        required_for_use=tuple(
            Rule(r.kind, r.any_of, r.label.model_dump(), r.why) for r in model.required_for_use
        )
    )


@cache
def load_rules() -> Rules:
    text = (resources.files("tsbkart.quality") / "rules.yaml").read_text(encoding="utf-8")
    return parse_rules(yaml.safe_load(text))


def _records(snapshot: RegistrySnapshot) -> Iterator[tuple[str, RegistryRecord]]:
    for kind in KINDS.names():
        for record in snapshot.records(kind).values():
            yield kind, record


def _name(record: RegistryRecord) -> str:
    return str(getattr(record, "name", None) or record.id)


def _unknown(value: Any) -> bool:
    return (
        value is None or value == () or value == "unknown" or (isinstance(value, str) and not value.strip())
    )


def missing(snapshot: RegistrySnapshot, rules: Rules) -> list[Finding]:
    findings = []
    for kind, record in _records(snapshot):
        for rule in rules.required_for_use:
            if rule.kind == kind and all(_unknown(getattr(record, f)) for f in rule.any_of):
                detail = f"{rule.label['en']}: {rule.why}"
                findings.append(Finding(kind, record.id, _name(record), "/".join(rule.any_of), detail))
    return findings


def stale_title(freshness: FreshnessRules) -> dict[str, str]:
    """The category's title, from the rules: "Facts not verified within 12 months (...: 3 months)"."""
    default = freshness.default.stale_after_months
    own = ", ".join(f"{', '.join(c.fields)}: {c.stale_after_months}" for c in freshness.cycles if c.fields)
    suffix = f" ({own})" if own else ""
    return {
        "nb": f"Fakta ikke bekreftet innen {default} måneder{suffix}",
        "en": f"Facts not verified within {default} months{suffix}",
    }


def verification_points(
    kind: str, record: RegistryRecord, freshness: FreshnessRules
) -> list[tuple[str | None, Provenance]]:
    """The record's provenance, each field-level provenance, and each known field with a cycle of its own
    that inherits the record's provenance (judged by that field's cycle)."""
    checks: list[tuple[str | None, Provenance]] = [(None, record.provenance)]
    checks += sorted(record.field_provenance.items())
    for name in freshness.own_cycle_fields(kind):
        if name not in record.field_provenance and not _unknown(getattr(record, name, None)):
            checks.append((name, record.provenance))
    return checks


def stale(snapshot: RegistrySnapshot, rules: Rules, today: date) -> list[Finding]:
    """Records (field None) and single fields not verified within their cycle (``freshness.yaml``)."""
    findings = []
    for kind, record in _records(snapshot):
        for name, provenance in verification_points(kind, record, rules.freshness):
            if is_stale(provenance.verified, today, rules.freshness.cycle(kind, name)):
                when = provenance.verified.isoformat() if provenance.verified else "never"
                findings.append(Finding(kind, record.id, _name(record), name, f"last verified: {when}"))
    return findings


def approximate(snapshot: RegistrySnapshot) -> list[Finding]:
    located: list[tuple[str, Unit | AssessmentTeam]] = [("unit", u) for u in snapshot.units.values()]
    located += [("team", t) for t in snapshot.teams.values()]
    return [
        Finding(kind, r.id, r.name, "location_precision", f"precision: {r.location_precision}")
        for kind, r in located
        if r.lat is not None and is_approximate_precision(r.location_precision)
    ]


def outside_catchment(snapshot: RegistrySnapshot) -> list[Finding]:
    findings = []
    areas = snapshot.geography.area_units
    for unit in snapshot.units.values():
        if unit.catchment_code is None:
            findings.append(Finding("unit", unit.id, unit.name, "catchment_code", "no catchment area"))
        elif unit.catchment_code not in snapshot.geography.catchments:
            detail = f"catchment {unit.catchment_code!r} is not in the geography"
            findings.append(Finding("unit", unit.id, unit.name, "catchment_code", detail))
        if unit.municipality_code is not None and unit.municipality_code not in areas:
            detail = f"municipality {unit.municipality_code!r} is not in the current geography"
            findings.append(Finding("unit", unit.id, unit.name, "municipality_code", detail))
    return findings


def no_assessment_route(snapshot: RegistrySnapshot) -> list[Finding]:
    findings = []
    for offer in snapshot.offers.values():
        unit = snapshot.units.get(offer.unit_id)
        name = f"{unit.name if unit else offer.unit_id}: {offer.service_type}"
        if offer.assessment_team_id is None:
            findings.append(Finding("offer", offer.id, name, "assessment_team_id", "no assessment team"))
        elif offer.assessment_team_id not in snapshot.teams:
            detail = f"assessment team {offer.assessment_team_id!r} does not exist"
            findings.append(Finding("offer", offer.id, name, "assessment_team_id", detail))
    return findings


def check(snapshot: RegistrySnapshot, today: date | None = None, rules: Rules | None = None) -> QualityReport:
    """The full report on ``snapshot`` as of ``today`` (default: the current date)."""
    day = today or norway_today()
    r = rules or load_rules()
    found: dict[str, Sequence[Finding]] = {
        "missing": missing(snapshot, r),
        "stale": stale(snapshot, r, day),
        "approximate": approximate(snapshot),
        "outside_catchment": outside_catchment(snapshot),
        "no_assessment_route": no_assessment_route(snapshot),
    }
    totals = {kind: len(snapshot.records(kind)) for kind in KINDS.names()}
    titles = TITLES | {"stale": stale_title(r.freshness)}
    categories = tuple(
        Category(code, titles[code], tuple(sorted(f, key=lambda x: (x.kind, x.id, x.field or ""))))
        for code, f in found.items()
    )
    return QualityReport(day, snapshot.revision, totals, categories)


def render_text(report: QualityReport, language: str = "en", limit: int | None = 20) -> str:
    """Plain text: a summary line per category, then up to ``limit`` findings each (None = all)."""
    lines = [
        f"Data quality on {report.checked_on.isoformat()} (revision {report.revision}): "
        + ", ".join(f"{n} {k}s" for k, n in report.totals.items()),
        "",
    ]
    for category in report.categories:
        lines.append(f"{category.title[language]}: {category.count}")
        shown = category.findings if limit is None else category.findings[:limit]
        for f in shown:
            field = f" [{f.field}]" if f.field else ""
            lines.append(f"  {f.kind} {f.id}{field} – {f.name}: {f.detail}")
        if len(shown) < category.count:
            lines.append(f"  ... and {category.count - len(shown)} more (use --all or --format json)")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
