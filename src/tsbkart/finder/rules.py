"""The finder's rules files (``rules/*.yaml``) as pydantic models, checked when they are loaded.

A malformed file gives a message naming the file and the entry (``tsbkart.yaml_schema``)::

    deadlines.yaml: conditions[3].status: Input should be 'verified', 'inferred' or 'missing'

Files: ``deadlines.yaml`` (the prioritisation guide's deadlines), ``levels.yaml`` (needs, levels of care,
target groups, legal requirements), ``reasons.yaml`` (reason texts), ``implied.yaml`` (services the guide's
criteria imply), ``acute.yaml`` (the acute path: emergency numbers and acute service types), ``scope.yaml``
(result groups and their caps).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from tsbkart.vocab import load_vocabularies
from tsbkart.yaml_schema import validate

Status = Literal["verified", "inferred", "missing"]
Treatment = Literal["exclude", "rank"]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[Weekday, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
STATUSES: tuple[Status, ...] = ("verified", "inferred", "missing")
Url = Annotated[str, Field(pattern=r"^https?://")]


class RulesError(ValueError):
    """A rules file is malformed; the message names the file and the entry."""


def _service_types(codes: tuple[str, ...]) -> tuple[str, ...]:
    known = load_vocabularies()["service_types"].codes
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"unknown service type(s) {', '.join(unknown)}")
    return codes


def _target_groups(codes: tuple[str, ...]) -> tuple[str, ...]:
    known = load_vocabularies()["target_groups"].codes
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise ValueError(f"unknown target group(s) {', '.join(unknown)}")
    return codes


ServiceTypes = Annotated[tuple[str, ...], AfterValidator(_service_types)]
TargetGroups = Annotated[tuple[str, ...], AfterValidator(_target_groups)]


class Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(Rule):
    nb: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def __getitem__(self, language: str) -> str:
        return self.nb if language == "nb" else self.en


# --- deadlines.yaml -----------------------------------------------------------------------------------------


class Modifier(Rule):
    when: str
    weeks: int = Field(gt=0)
    label: Label
    status: Status
    source: Url


class Lead(Rule):
    """For a missing deadline: where to look, in a sentence (never a deadline)."""

    url: Url
    label: Label


class Condition(Rule):
    code: str = Field(min_length=1)
    label: Label
    substances: tuple[str, ...] = ()
    when: str | None = None
    weeks: int | None = Field(default=None, gt=0)
    status: Status
    source: Url
    note: str | None = None  # for a missing deadline: what was found instead, a lead for the next search
    lead: Lead | None = None  # the lead shown to users (bokmål and English)
    modifiers: tuple[Modifier, ...] = ()

    @model_validator(mode="after")
    def _weeks_unless_missing(self) -> Condition:
        if (self.weeks is None) != (self.status == "missing"):
            raise ValueError("weeks may be null only when status is 'missing' (and must be null then)")
        return self


class CrossCutting(Rule):
    code: str
    when: Literal["age_below"]
    age: int = Field(gt=0)
    weeks: int = Field(gt=0)
    label: Label
    status: Status
    source: Url
    note: str | None = None


class IndividualFactor(Rule):
    when: str
    label: Label


class Guide(Rule):
    title: str
    url: Url
    last_updated_by_source: date | None = None


class Assessment(Rule):
    working_days: int = Field(gt=0)
    label: Label
    status: Status
    source: Url
    note: str | None = None


class WorkingDays(Rule):
    weekend: tuple[Weekday, ...]
    holidays: str = Field(min_length=2, max_length=2)  # the ``holidays`` library's country code
    sources: tuple[Url, ...] = ()


class DeadlineRules(Rule):
    rules: Literal["deadlines"]
    version: int = Field(ge=1)
    valid_from: date
    guide: Guide
    counted_from: Literal["referral_received"]
    conditions: tuple[Condition, ...]
    cross_cutting: tuple[CrossCutting, ...] = ()
    individual_factors: tuple[IndividualFactor, ...] = ()
    assessment: Assessment
    working_days: WorkingDays

    @property
    def guide_url(self) -> str:
        return self.guide.url

    @property
    def assessment_working_days(self) -> int:
        return self.assessment.working_days

    @property
    def weekend(self) -> tuple[Weekday, ...]:
        return self.working_days.weekend

    @property
    def holiday_country(self) -> str:
        return self.working_days.holidays


# --- levels.yaml --------------------------------------------------------------------------------------------


class Need(Rule):
    label: Label
    min_level: int = Field(ge=0, le=4)
    service_types: ServiceTypes


class LegalRequirement(Rule):
    """A profile attribute the legal basis requires of the service: its results must state it."""

    target_groups: TargetGroups  # the offer must state at least one of these
    label: Label
    source: Url


class LevelRules(Rule):
    rules: Literal["levels"]
    version: int = Field(ge=1)
    valid_from: date
    sources: tuple[Url, ...]
    needs: dict[str, Need]
    service_type_requires: dict[str, tuple[str, ...]]
    not_results: frozenset[str]
    settings: dict[str, frozenset[int]]
    group_needs: dict[str, TargetGroups]
    target_group_kinds: dict[Literal["age", "group", "substance"], Treatment]
    legal_requirements: dict[str, LegalRequirement] = {}
    youth_groups: TargetGroups = ()  # age bands that say "a youth service" (they rank like stated groups)

    @model_validator(mode="after")
    def _codes(self) -> LevelRules:
        _service_types(tuple(self.service_type_requires))
        _service_types(tuple(self.not_results))
        legal = load_vocabularies()["legal_basis"].codes
        unknown = [c for c in self.legal_requirements if c not in legal]
        if unknown:
            raise ValueError(f"legal_requirements: unknown legal basis {', '.join(unknown)}")
        return self


# --- reasons.yaml -------------------------------------------------------------------------------------------


class ReasonText(Rule):
    kind: Literal["exclusion", "rank", "info"]
    nb: str = Field(min_length=1)
    en: str = Field(min_length=1)


class ReasonRules(Rule):
    rules: Literal["reasons"]
    version: int = Field(ge=1)
    reasons: dict[str, ReasonText]


# --- implied.yaml -------------------------------------------------------------------------------------------


class Implied(Rule):
    """Criteria of the guide that imply a service type the user may not have ticked."""

    code: str = Field(min_length=1)
    when: tuple[str, ...] = Field(min_length=1)  # profile flags that must all hold
    substances: tuple[str, ...] = ()  # and one of these substances, when given
    service_types: ServiceTypes = Field(min_length=1)
    need: str  # the levels.yaml need it implies (ranking and reasons follow that need)
    status: Literal["verified", "inferred"]
    label: Label  # why, in a sentence
    source: Url
    note: str | None = None


class ImpliedRules(Rule):
    rules: Literal["implied"]
    version: int = Field(ge=1)
    implied: tuple[Implied, ...]


# --- acute.yaml ---------------------------------------------------------------------------------------------


class EmergencyNumber(Rule):
    code: str
    number: str
    label: Label
    source: Url


class Helpline(Rule):
    """A helpline known by its web address: its sources describe it but state no current phone number."""

    code: str
    name: str
    url: Url
    label: Label
    source: Url


class AcuteRules(Rule):
    rules: Literal["acute"]
    version: int = Field(ge=1)
    service_types: ServiceTypes  # what an acute-crisis profile is shown first
    max_services: int = Field(gt=0)
    numbers: tuple[EmergencyNumber, ...] = Field(min_length=1)
    helplines: tuple[Helpline, ...] = ()
    guidance: Label
    sources: tuple[Url, ...] = ()


# --- scope.yaml ---------------------------------------------------------------------------------------------


class Group(Rule):
    code: Literal["home", "region", "national", "trust"]
    cap: int = Field(gt=0)  # results shown at first; the rest behind "show more"
    limit: int = Field(gt=0)  # results held at most (a group never lists the whole country)
    label: Label
    note: Label | None = None
    # Only service types that no nearer group holds (the rest of the country is not a longer list of the same).
    only_types_missing_nearer: bool = False


class ScopeRules(Rule):
    rules: Literal["scope"]
    version: int = Field(ge=1)
    groups: tuple[Group, ...]

    def group(self, code: str) -> Group:
        return next(g for g in self.groups if g.code == code)


# --- loading ------------------------------------------------------------------------------------------------


def _read(name: str) -> Any:
    text = (resources.files("tsbkart.finder") / "rules" / name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def parse_deadlines(doc: Any, origin: str = "deadlines.yaml") -> DeadlineRules:
    return validate(DeadlineRules, doc, origin, RulesError)


def parse_levels(doc: Any, origin: str = "levels.yaml") -> LevelRules:
    return validate(LevelRules, doc, origin, RulesError)


def parse_reasons(doc: Any, origin: str = "reasons.yaml") -> Mapping[str, ReasonText]:
    return validate(ReasonRules, doc, origin, RulesError).reasons


def parse_implied(doc: Any, origin: str = "implied.yaml") -> ImpliedRules:
    rules = validate(ImpliedRules, doc, origin, RulesError)
    needs = level_rules().needs
    for i, entry in enumerate(rules.implied):
        if entry.need not in needs:
            raise RulesError(f"{origin}: implied[{i}].need: {entry.need!r} is not a need of levels.yaml")
    return rules


@cache
def deadline_rules() -> DeadlineRules:
    return parse_deadlines(_read("deadlines.yaml"))


@cache
def level_rules() -> LevelRules:
    return parse_levels(_read("levels.yaml"))


@cache
def reason_texts() -> Mapping[str, ReasonText]:
    return parse_reasons(_read("reasons.yaml"))


@cache
def implied_rules() -> ImpliedRules:
    return parse_implied(_read("implied.yaml"))


@cache
def acute_rules() -> AcuteRules:
    return validate(AcuteRules, _read("acute.yaml"), "acute.yaml", RulesError)


@cache
def scope_rules() -> ScopeRules:
    return validate(ScopeRules, _read("scope.yaml"), "scope.yaml", RulesError)
