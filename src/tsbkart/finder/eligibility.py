"""Which offers fit a profile, and why not when they do not.

Eligibility reads only an offer's :class:`~tsbkart.finder.index.Signature` (service type, target groups,
legal basis, age limits, intake status, public ownership), so the rules run once per distinct signature. The
distance preference is the one per-offer rule (``search``). Semantics, from the registry's conventions:

- ``age_min``/``age_max`` None = unknown: not excluded ("age limit unknown").
- target groups: age bands (vocab ``kind: age`` with bounds) are limits; groups and substances rank (see
  ``rules/levels.yaml`` ``target_group_kinds``); an empty list = not stated, not restricted.
- legal basis lists the coercion bases a unit is approved for: a voluntary patient fits any offer, a coerced
  patient only offers that state the basis; where the basis requires a target group (``legal_requirements``:
  HOL § 10-3 is for pregnant women), only offers that state that group.
- implied needs (``rules/implied.yaml``): the guide's criteria that imply a service type count as that need.
- intake ``closed`` excludes; ``unknown`` does not.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt

from tsbkart.finder.index import FinderIndex, Signature
from tsbkart.finder.profile import NeedProfile
from tsbkart.finder.reasons import Localised, Reason, joined, reason
from tsbkart.finder.rules import Implied, LevelRules, acute_rules, implied_rules, level_rules
from tsbkart.vocab import load_vocabularies


@dataclass(frozen=True, slots=True)
class Context:
    """What eligibility and ranking need from the profile (derived once per request)."""

    profile: NeedProfile
    facts: frozenset[str]  # acute_crisis, detox, coercion, opioids, lar
    needs: tuple[str, ...]  # codes of levels.yaml needs the profile states
    need_types: frozenset[str]  # service types that meet a stated need
    min_level: int
    groups: frozenset[str]  # target groups the profile matches (non-age ones, and the youth bands that fit)
    implied: tuple[Implied, ...] = ()  # implied needs (rules/implied.yaml) the profile meets


@dataclass(frozen=True, slots=True)
class Verdict:
    """Eligibility of one signature: exclusions (empty = eligible), notes, and rank keys."""

    exclusions: tuple[Reason, ...]
    notes: tuple[Reason, ...]
    tier: int  # 0 acute help in a crisis, 1 meets a need, 2 at or above the needed level, 3 below it
    target: int  # 0 stated group fits, 1 not stated, 2 stated but does not fit

    @property
    def eligible(self) -> bool:
        return not self.exclusions


def implied_needs(profile: NeedProfile) -> tuple[Implied, ...]:
    """The implied needs whose criteria the profile meets: every flag in ``when`` and, when the rule names
    substances, one of them."""
    return tuple(
        i
        for i in implied_rules().implied
        if all(getattr(profile, flag, False) for flag in i.when)
        and (not i.substances or set(i.substances) & set(profile.substances))
    )


def youth_groups(age: int) -> frozenset[str]:
    """The youth bands (levels.yaml ``youth_groups``) that fit ``age``; unbounded ones up to the oldest bound."""
    kinds = _group_kinds()
    bands = [g for g in level_rules().youth_groups if g in kinds]
    oldest = max((high for g in bands if (high := kinds[g][2]) is not None), default=0)
    fits = set()
    for g in bands:
        low, high = kinds[g][1], kinds[g][2]
        if low is None and high is None:
            if age <= oldest:
                fits.add(g)
        elif (low or 0) <= age <= (200 if high is None else high):
            fits.add(g)
    return frozenset(fits)


def context(profile: NeedProfile, rules: LevelRules | None = None) -> Context:
    rules = rules or level_rules()
    implied = implied_needs(profile)
    facts = {
        name
        for name, on in (
            ("acute_crisis", profile.acute_crisis),
            ("detox", profile.detox),
            ("coercion", profile.coerced),
            ("opioids", profile.opioid_need),
            ("lar", profile.lar != "none"),
        )
        if on
    }
    # An implied need counts as the need it names (the need codes are fact names too).
    facts.update(i.need for i in implied)
    needs = tuple(code for code in rules.needs if code in facts)
    groups: set[str] = set(profile.substances) | youth_groups(profile.age)
    for flag, targets in rules.group_needs.items():
        if getattr(profile, flag, False):
            groups.update(targets)
    return Context(
        profile=profile,
        facts=frozenset(facts),
        needs=needs,
        need_types=frozenset(t for n in needs for t in rules.needs[n].service_types),
        min_level=max((rules.needs[n].min_level for n in needs), default=1),
        groups=frozenset(groups),
        implied=implied,
    )


@cache
def _label(vocabulary: str, code: str) -> Localised:
    term = load_vocabularies()[vocabulary][code]
    return {"nb": term.label_in("nb"), "en": term.label_in("en")}


@cache
def _group_kinds() -> dict[str, tuple[str, int | None, int | None]]:
    """Target group code -> (kind, age_min, age_max) from the vocabulary."""
    return {
        t.code: (str(t.get("kind")), t.get("age_min"), t.get("age_max"))
        for t in load_vocabularies()["target_groups"]
    }


def age_groups(target_groups: tuple[str, ...]) -> tuple[str, ...]:
    """The age-band target groups among ``target_groups`` (the only ones that can exclude)."""
    kinds = _group_kinds()
    return tuple(g for g in target_groups if g in kinds and kinds[g][0] == "age")


def _age(sig: Signature, age: int) -> tuple[list[Reason], list[Reason]]:
    excl: list[Reason] = []
    notes: list[Reason] = []
    if sig.age_min is not None and age < sig.age_min:
        excl.append(reason("age_below_min", age_min=sig.age_min, age=age))
    if sig.age_max is not None and age > sig.age_max:
        excl.append(reason("age_above_max", age_max=sig.age_max, age=age))
    if sig.age_min is None and sig.age_max is None:
        notes.append(reason("age_unknown"))
    vocab = load_vocabularies()["target_groups"]
    bands = [vocab[g] for g in sig.target_groups if g in vocab and vocab[g].get("kind") == "age"]
    bounded = [t for t in bands if t.get("age_min") is not None or t.get("age_max") is not None]
    unbounded = [t for t in bands if t not in bounded]
    if unbounded:
        notes.append(
            reason("age_group_unbounded", groups=joined([_label("target_groups", t.code) for t in unbounded]))
        )
    fits = any(t.get("age_min", 0) <= age <= t.get("age_max", 200) for t in bounded)
    if bounded and not unbounded and not fits and level_rules().target_group_kinds.get("age") == "exclude":
        excl.append(
            reason(
                "age_group_mismatch",
                groups=joined([_label("target_groups", t.code) for t in bounded]),
                age=age,
            )
        )
    return excl, notes


def _ranked_groups(groups: tuple[str, ...]) -> list[str]:
    """The target groups that rank: groups and substances, and the youth bands."""
    kinds = _group_kinds()
    youth = set(level_rules().youth_groups)
    return [g for g in groups if g in kinds and (kinds[g][0] != "age" or g in youth)]


def _target(sig: Signature, ctx: Context) -> tuple[int, Reason]:
    stated = _ranked_groups(sig.target_groups)
    if not stated:
        return 1, reason("target_not_stated")
    hits = [g for g in stated if g in ctx.groups]
    if hits:
        return 0, reason("target_match", groups=joined([_label("target_groups", g) for g in hits]))
    return 2, reason("target_no_match", groups=joined([_label("target_groups", g) for g in stated]))


def _service(sig: Signature, ctx: Context, rules: LevelRules) -> list[Reason]:
    service = _label("service_types", sig.service_type)
    required = rules.service_type_requires.get(sig.service_type)
    if required and not (set(required) & ctx.facts):
        labels = [rules.needs[r].label if r in rules.needs else _fact_label(r) for r in required]
        return [reason("service_not_needed", service=service, needs=_or(labels))]
    return []


def _fact_label(fact: str) -> Localised:
    if fact == "opioids":
        return {"nb": "opioidavhengighet", "en": "opioid dependence"}
    return {"nb": fact, "en": fact}


def _or(labels: list[Localised]) -> Localised:
    return {
        lang: (" eller " if lang == "nb" else " or ").join(label[lang] for label in labels)
        for lang in ("nb", "en")
    }


def _legal(sig: Signature, ctx: Context) -> tuple[list[Reason], list[Reason]]:
    basis = ctx.profile.coercion
    if basis == "none":
        return [], []
    label = _label("legal_basis", basis)
    if basis not in sig.legal_basis:
        return [reason("legal_basis_missing", basis=label)], []
    required = level_rules().legal_requirements.get(basis)
    if required is not None and not set(required.target_groups) & set(sig.target_groups):
        groups = joined([_label("target_groups", g) for g in required.target_groups])
        return [reason("legal_requirement_group", basis=label, groups=groups)], []
    return [], [reason("legal_basis_ok", basis=label)]


def _preferences(sig: Signature, ctx: Context, rules: LevelRules) -> list[Reason]:
    prefs = ctx.profile.preferences
    service = _label("service_types", sig.service_type)
    out: list[Reason] = []
    if prefs.public_only and sig.public is not True:
        out.append(reason("pref_public_only"))
    allowed = rules.settings.get(prefs.setting, frozenset())
    if sig.level not in allowed:
        setting = {
            "nb": {"outpatient": "poliklinisk/dag", "inpatient": "døgn/akutt"}.get(prefs.setting, "alle"),
            "en": prefs.setting,
        }
        out.append(reason("pref_setting", service=service, setting=setting))
    if prefs.service_types and sig.service_type not in prefs.service_types:
        out.append(reason("pref_service_type", service=service))
    return out


def _acute_first(service_type: str, ctx: Context) -> bool:
    """The acute path: in an acute crisis the acute services come before every other need (rules/acute.yaml)."""
    return "acute_crisis" in ctx.facts and service_type in acute_rules().service_types


def _tier(sig: Signature, ctx: Context, rules: LevelRules) -> tuple[int, Reason]:
    level = _label("service_types", sig.service_type)
    if sig.service_type in ctx.need_types:
        met = [rules.needs[n].label for n in ctx.needs if sig.service_type in rules.needs[n].service_types]
        return (0 if _acute_first(sig.service_type, ctx) else 1), reason("need_met", need=joined(met))
    if sig.level < ctx.min_level and ctx.needs:
        top = max(ctx.needs, key=lambda n: rules.needs[n].min_level)
        return 3, reason("below_need_level", need=rules.needs[top].label)
    return 2, reason("level", level=level)


def judge(sig: Signature, ctx: Context) -> Verdict:
    """Eligibility of offers with this signature for the profile in ``ctx``."""
    rules = level_rules()
    tier, tier_reason = _tier(sig, ctx, rules)
    target, target_reason = _target(sig, ctx)
    if sig.service_type in rules.not_results:
        return Verdict(
            exclusions=(reason("not_a_result"),), notes=(tier_reason, target_reason), tier=tier, target=target
        )
    age_excl, age_notes = _age(sig, ctx.profile.age)
    legal_excl, legal_notes = _legal(sig, ctx)
    exclusions = [*_service(sig, ctx, rules), *age_excl, *legal_excl]
    if sig.intake_status == "closed":
        exclusions.append(reason("intake_closed"))
    exclusions += _preferences(sig, ctx, rules)
    notes = [tier_reason, target_reason, *age_notes, *legal_notes]
    notes += [reason("implied_need", why=i.label) for i in ctx.implied if sig.service_type in i.service_types]
    if sig.intake_status == "unknown":
        notes.append(reason("intake_unknown"))
    language = ctx.profile.language
    if language and language not in ("nb", "no", "nn"):
        notes.append(
            reason("language_match" if language in sig.languages else "language_unknown", language=language)
        )
    return Verdict(exclusions=tuple(exclusions), notes=tuple(notes), tier=tier, target=target)


def _probe(**fields: object) -> Signature:
    """A signature with neutral values except ``fields``: each component reads only its own fields."""
    base: dict[str, object] = dict(
        service_type="poliklinikk",
        level=1,
        target_groups=(),
        legal_basis=(),
        age_min=None,
        age_max=None,
        intake_status="unknown",
        public=True,
        languages=(),
    )
    return Signature(**(base | fields))  # type: ignore[arg-type]


def _service_ok(key: tuple[str, int], ctx: Context, rules: LevelRules) -> bool:
    sig = _probe(service_type=key[0], level=key[1])
    return (
        sig.service_type not in rules.not_results
        and not _service(sig, ctx, rules)
        and not _preferences(sig, ctx, rules)
    )


def eligibility_arrays(
    index: FinderIndex, ctx: Context
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Per offer: eligible (all rules but distance), tier and target keys, computed per distinct component
    value and combined with numpy. Agrees with :func:`judge` on every offer (tested)."""
    ok, tier, target = eligibility_by_signature(index, ctx)
    return ok[index.sig_of], tier[index.sig_of], target[index.sig_of]


def eligibility_by_signature(
    index: FinderIndex, ctx: Context
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """:func:`eligibility_arrays` per signature (``index.signatures``) rather than per offer."""
    rules = level_rules()
    age = ctx.profile.age
    checks: dict[str, Callable[[Any], bool]] = {
        "service": lambda k: _service_ok(k, ctx, rules),
        "age": lambda k: _age_fits(k[0], k[1], k[2], age),
        "legal": lambda k: not _legal(_probe(legal_basis=k[0], target_groups=k[1]), ctx)[0],
        "intake": lambda k: k != "closed",
        "public": lambda k: not (ctx.profile.preferences.public_only and k is not True),
    }
    ok = np.ones(len(index.signatures), dtype=np.bool_)
    for name, check in checks.items():
        component = index.components[name]
        values = np.array([check(k) for k in component.keys], dtype=np.bool_)
        ok &= values[component.of_signature]
    service = index.components["service"]
    tiers = np.array([_tier_rank(k[0], k[1], ctx) for k in service.keys])
    target = index.components["target"]
    ranks = np.array([_target_rank(k, ctx) for k in target.keys])
    tier_of_sig = tiers.astype(np.int64)[service.of_signature]
    target_of_sig = ranks.astype(np.int64)[target.of_signature]
    return ok, tier_of_sig, target_of_sig


def _age_fits(age_min: int | None, age_max: int | None, groups: tuple[str, ...], age: int) -> bool:
    """Fast form of the exclusions in :func:`_age` (same rules; their agreement is tested)."""
    if (age_min is not None and age < age_min) or (age_max is not None and age > age_max):
        return False
    if level_rules().target_group_kinds.get("age") != "exclude":
        return True
    kinds = _group_kinds()
    bands = [kinds[g] for g in groups if g in kinds and kinds[g][0] == "age"]
    bounded = [b for b in bands if b[1] is not None or b[2] is not None]
    if not bounded or len(bounded) < len(bands):
        return True
    return any((b[1] or 0) <= age <= (b[2] if b[2] is not None else 200) for b in bounded)


def _tier_rank(service_type: str, level: int, ctx: Context) -> int:
    """0 acute help in a crisis, 1 meets a need, 3 below the needed level, 2 otherwise (as :func:`_tier`)."""
    if service_type in ctx.need_types:
        return 0 if _acute_first(service_type, ctx) else 1
    return 3 if level < ctx.min_level and ctx.needs else 2


def _target_rank(groups: tuple[str, ...], ctx: Context) -> int:
    """0 a stated group fits, 1 none stated, 2 stated but none fits (the rank part of :func:`_target`)."""
    stated = _ranked_groups(groups)
    if not stated:
        return 1
    return 0 if any(g in ctx.groups for g in stated) else 2
