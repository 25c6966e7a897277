"""Load the finder's rules files (``rules/*.yaml``) into typed, validated values.

Errors name the file and the entry: ``deadlines.yaml: conditions[3] (cannabis): status must be ...``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import yaml

STATUSES = ("verified", "inferred", "missing")
LEVEL_KINDS = ("exclude", "rank")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class RulesError(ValueError):
    """A rules file is malformed; the message names the file and the entry."""


@dataclass(frozen=True, slots=True)
class Modifier:
    when: str
    weeks: int
    label: Mapping[str, str]
    status: str
    source: str


@dataclass(frozen=True, slots=True)
class Condition:
    code: str
    label: Mapping[str, str]
    substances: tuple[str, ...]
    when: str | None
    weeks: int | None
    status: str
    source: str
    modifiers: tuple[Modifier, ...]


@dataclass(frozen=True, slots=True)
class CrossCutting:
    code: str
    age: int
    weeks: int
    label: Mapping[str, str]
    status: str
    source: str


@dataclass(frozen=True, slots=True)
class DeadlineRules:
    version: int
    valid_from: date
    guide_url: str
    conditions: tuple[Condition, ...]
    cross_cutting: tuple[CrossCutting, ...]
    individual_factors: tuple[tuple[str, Mapping[str, str]], ...]
    assessment_working_days: int
    assessment_source: str
    weekend: tuple[str, ...]  # weekday names that are never working days
    holiday_country: str  # public holidays: the ``holidays`` library's calendar of this country (NO)


@dataclass(frozen=True, slots=True)
class Need:
    code: str
    label: Mapping[str, str]
    min_level: int
    service_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LevelRules:
    version: int
    needs: Mapping[str, Need]
    service_type_requires: Mapping[str, tuple[str, ...]]
    not_results: frozenset[str]
    settings: Mapping[str, frozenset[int]]
    group_needs: Mapping[str, tuple[str, ...]]
    target_group_kinds: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class ReasonText:
    kind: str
    nb: str
    en: str


def _read(name: str) -> Any:
    text = (resources.files("tsbkart.finder") / "rules" / name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def _need(mapping: Any, key: str, where: str) -> Any:
    if not isinstance(mapping, dict) or key not in mapping:
        raise RulesError(f"{where}: missing key {key!r}")
    return mapping[key]


def _label(raw: Any, where: str) -> Mapping[str, str]:
    if not isinstance(raw, dict) or not raw.get("nb") or not raw.get("en"):
        raise RulesError(f"{where}: label needs non-empty nb and en")
    return {"nb": str(raw["nb"]), "en": str(raw["en"])}


def _status(raw: Any, where: str) -> str:
    if raw not in STATUSES:
        raise RulesError(f"{where}: status must be one of {STATUSES}, got {raw!r}")
    return str(raw)


def _weeks(raw: Any, status: str, where: str) -> int | None:
    if raw is None:
        if status != "missing":
            raise RulesError(f"{where}: weeks may be null only when status is 'missing'")
        return None
    if not isinstance(raw, int) or raw <= 0:
        raise RulesError(f"{where}: weeks must be a positive integer, got {raw!r}")
    return raw


def parse_deadlines(doc: Any, origin: str = "deadlines.yaml") -> DeadlineRules:
    conditions = []
    for i, raw in enumerate(_need(doc, "conditions", origin)):
        where = f"{origin}: conditions[{i}] ({raw.get('code') if isinstance(raw, dict) else raw})"
        status = _status(_need(raw, "status", where), where)
        modifiers = tuple(
            Modifier(
                when=str(_need(m, "when", f"{where} modifier {j}")),
                weeks=int(_weeks(_need(m, "weeks", f"{where} modifier {j}"), "verified", where) or 0),
                label=_label(m.get("label"), f"{where} modifier {j}"),
                status=_status(m.get("status"), f"{where} modifier {j}"),
                source=str(_need(m, "source", f"{where} modifier {j}")),
            )
            for j, m in enumerate(raw.get("modifiers") or [])
        )
        conditions.append(
            Condition(
                code=str(_need(raw, "code", where)),
                label=_label(raw.get("label"), where),
                substances=tuple(raw.get("substances") or ()),
                when=raw.get("when"),
                weeks=_weeks(raw.get("weeks"), status, where),
                status=status,
                source=str(_need(raw, "source", where)),
                modifiers=modifiers,
            )
        )
    cross = tuple(
        CrossCutting(
            code=str(_need(c, "code", f"{origin}: cross_cutting[{i}]")),
            age=int(_need(c, "age", f"{origin}: cross_cutting[{i}]")),
            weeks=int(_need(c, "weeks", f"{origin}: cross_cutting[{i}]")),
            label=_label(c.get("label"), f"{origin}: cross_cutting[{i}]"),
            status=_status(c.get("status"), f"{origin}: cross_cutting[{i}]"),
            source=str(_need(c, "source", f"{origin}: cross_cutting[{i}]")),
        )
        for i, c in enumerate(doc.get("cross_cutting") or [])
    )
    work = _need(doc, "working_days", origin)
    weekend = tuple(_need(work, "weekend", f"{origin}: working_days"))
    unknown = [d for d in weekend if d not in WEEKDAYS]
    if unknown:
        raise RulesError(f"{origin}: working_days.weekend: {unknown} are not weekday names {WEEKDAYS}")
    country = str(_need(work, "holidays", f"{origin}: working_days"))
    assessment = _need(doc, "assessment", origin)
    guide = _need(doc, "guide", origin)
    return DeadlineRules(
        version=int(_need(doc, "version", origin)),
        valid_from=_need(doc, "valid_from", origin),
        guide_url=str(_need(guide, "url", f"{origin}: guide")),
        conditions=tuple(conditions),
        cross_cutting=cross,
        individual_factors=tuple(
            (str(f["when"]), _label(f.get("label"), f"{origin}: individual_factors[{i}]"))
            for i, f in enumerate(doc.get("individual_factors") or [])
        ),
        assessment_working_days=int(_need(assessment, "working_days", f"{origin}: assessment")),
        assessment_source=str(_need(assessment, "source", f"{origin}: assessment")),
        weekend=weekend,
        holiday_country=country,
    )


def parse_levels(doc: Any, origin: str = "levels.yaml") -> LevelRules:
    needs = {
        code: Need(
            code=code,
            label=_label(raw.get("label"), f"{origin}: needs.{code}"),
            min_level=int(_need(raw, "min_level", f"{origin}: needs.{code}")),
            service_types=tuple(_need(raw, "service_types", f"{origin}: needs.{code}")),
        )
        for code, raw in _need(doc, "needs", origin).items()
    }
    kinds = dict(_need(doc, "target_group_kinds", origin))
    for kind, treatment in kinds.items():
        if treatment not in LEVEL_KINDS:
            raise RulesError(f"{origin}: target_group_kinds.{kind} must be one of {LEVEL_KINDS}")
    return LevelRules(
        version=int(_need(doc, "version", origin)),
        needs=needs,
        service_type_requires={k: tuple(v) for k, v in _need(doc, "service_type_requires", origin).items()},
        not_results=frozenset(_need(doc, "not_results", origin)),
        settings={k: frozenset(int(x) for x in v) for k, v in _need(doc, "settings", origin).items()},
        group_needs={k: tuple(v) for k, v in _need(doc, "group_needs", origin).items()},
        target_group_kinds=kinds,
    )


def parse_reasons(doc: Any, origin: str = "reasons.yaml") -> Mapping[str, ReasonText]:
    out = {}
    for code, raw in _need(doc, "reasons", origin).items():
        where = f"{origin}: reasons.{code}"
        kind = _need(raw, "kind", where)
        if kind not in ("exclusion", "rank", "info"):
            raise RulesError(f"{where}: kind must be exclusion, rank or info")
        out[code] = ReasonText(kind=kind, nb=str(_need(raw, "nb", where)), en=str(_need(raw, "en", where)))
    return out


@cache
def deadline_rules() -> DeadlineRules:
    return parse_deadlines(_read("deadlines.yaml"))


@cache
def level_rules() -> LevelRules:
    return parse_levels(_read("levels.yaml"))


@cache
def reason_texts() -> Mapping[str, ReasonText]:
    return parse_reasons(_read("reasons.yaml"))
