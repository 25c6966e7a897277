"""Guideline deadlines from ``rules/deadlines.yaml`` and the 10-working-day assessment rule.

The result is guidance for the referrer, never the patient's legally binding deadline (the assessment team
sets that). Shape::

    GuidelineDeadline(weeks=4, latest_start=date(2026, 12, 21), assessment_due=date(2026, 12, 7),
                      conditions=[AppliedCondition(code="opioids", weeks=4, status="verified", ...)],
                      missing=["cannabis"], basis_status="verified", guidance=True)
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
import numpy as np
from pydantic import BaseModel

from tsbkart.finder.profile import NeedProfile
from tsbkart.finder.rules import WEEKDAYS, Condition, DeadlineRules, deadline_rules


class AppliedCondition(BaseModel):
    """One condition of the guide that the profile matches, with the rule that set its weeks."""

    code: str
    label_nb: str
    label_en: str
    weeks: int | None
    status: str  # verified | inferred | missing
    rule_nb: str  # what decided the weeks, e.g. "injeksjon i lyske eller hals"
    rule_en: str
    source: str
    note: str | None = None  # for a missing deadline: what was found instead (a lead, never a deadline)
    lead_url: str | None = None  # the lead shown to users, when the rules hold one
    lead_nb: str | None = None
    lead_en: str | None = None


class GuidelineDeadline(BaseModel):
    weeks: int | None  # the shortest deadline among matched conditions; None = not in the rules, or acute
    latest_start: date | None  # referral day + weeks; guidance only
    referral_day: date
    assessment_due: date | None  # referral day + 10 working days (pbrl § 2-2); None on the acute path
    acute: bool = False  # acute crisis: emergency help now, no referral deadline (rules/acute.yaml)
    assessment_working_days: int
    conditions: list[AppliedCondition]
    missing: list[str]  # matched conditions whose deadline the rules do not hold
    basis_status: str | None  # status of the rule behind `weeks`
    individual_factors_nb: list[str]  # factors in the profile the guide says may shorten the deadline
    individual_factors_en: list[str]
    rules_version: int
    guide_url: str
    guidance: bool = True  # always: shown as guidance, not a decision


@cache
def _calendar(first_year: int, last_year: int) -> np.busdaycalendar:
    """Working days of those years: the rules' weekend off, and the ``holidays`` library's public holidays."""
    rules = deadline_rules()
    days = holidays.country_holidays(rules.holiday_country, years=range(first_year, last_year + 1))
    weekmask = [day not in rules.weekend for day in WEEKDAYS]
    return np.busdaycalendar(weekmask=weekmask, holidays=sorted(days))


def public_holidays(year: int) -> frozenset[date]:
    """Norwegian public holidays of ``year`` (``holidays.country_holidays("NO")``)."""
    return frozenset(holidays.country_holidays(deadline_rules().holiday_country, years=year))


def is_working_day(day: date) -> bool:
    return bool(np.is_busday(day, busdaycal=_calendar(day.year, day.year)))


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after ``start`` (``start`` itself does not count), with ``numpy.busday_offset``."""
    # roll="backward": from a weekend or holiday, count from the working day before it, whose n-th successor
    # is the n-th working day after ``start``. About 250 working days a year bound the years to look at.
    calendar = _calendar(start.year, start.year + 1 + n // 200)
    end = np.busday_offset(np.datetime64(start, "D"), n, roll="backward", busdaycal=calendar)
    result: date = end.astype(date)
    return result


def _flag(profile: NeedProfile, when: str) -> bool:
    flags = {
        "alcohol_over_20_units": profile.alcohol_over_20_units,
        "injecting": profile.injects,
        "injecting_groin_neck": profile.injecting_groin_neck,
        "pregnant": profile.pregnant,
        "children_in_care": profile.children_in_care,
        "rop": profile.rop,
    }
    return flags.get(when, False)


def _matches(condition: Condition, profile: NeedProfile) -> bool:
    if condition.when is not None:
        return _flag(profile, condition.when)
    substances = set(profile.substances)
    if "opioids" in condition.substances and profile.lar != "none":
        return True  # LAR is opioid agonist treatment: the patient has opioid dependence
    return bool(substances & set(condition.substances))


def _apply(condition: Condition, profile: NeedProfile, rules: DeadlineRules) -> AppliedCondition:
    weeks, status = condition.weeks, condition.status
    rule = condition.label
    for modifier in condition.modifiers:
        if _flag(profile, modifier.when) and weeks is not None and modifier.weeks < weeks:
            weeks, status, rule = modifier.weeks, modifier.status, modifier.label
    for cross in rules.cross_cutting:
        if profile.age < cross.age and (weeks is None or cross.weeks < weeks):
            # For a condition whose own deadline is missing, the general rule is our reading: say so.
            status = cross.status if weeks is not None else "inferred"
            weeks, rule = cross.weeks, cross.label
    return AppliedCondition(
        code=condition.code,
        label_nb=condition.label.nb,
        label_en=condition.label.en,
        weeks=weeks,
        status=status,
        rule_nb=rule.nb,
        rule_en=rule.en,
        source=condition.source,
        note=condition.note if condition.weeks is None else None,
        lead_url=condition.lead.url if condition.lead and condition.weeks is None else None,
        lead_nb=condition.lead.label.nb if condition.lead and condition.weeks is None else None,
        lead_en=condition.lead.label.en if condition.lead and condition.weeks is None else None,
    )


def guideline_deadline(profile: NeedProfile, referral_day: date) -> GuidelineDeadline:
    """The shortest guideline deadline among the guide's conditions that the profile matches.

    An acute crisis takes the acute path: no deadline in weeks and no assessment date (the conditions are
    still listed, for the planned care that may follow)."""
    rules = deadline_rules()
    applied = [_apply(c, profile, rules) for c in rules.conditions if _matches(c, profile)]
    known = [a for a in applied if a.weeks is not None]
    best = min(known, key=lambda a: (a.weeks, a.code)) if known and not profile.acute_crisis else None
    weeks = best.weeks if best else None
    factors = [f.label for f in rules.individual_factors if _flag(profile, f.when)]
    return GuidelineDeadline(
        weeks=weeks,
        latest_start=referral_day + timedelta(weeks=weeks) if weeks is not None else None,
        referral_day=referral_day,
        assessment_due=None
        if profile.acute_crisis
        else add_working_days(referral_day, rules.assessment_working_days),
        acute=profile.acute_crisis,
        assessment_working_days=rules.assessment_working_days,
        conditions=applied,
        missing=[a.code for a in applied if a.weeks is None],
        basis_status=best.status if best else None,
        individual_factors_nb=[f.nb for f in factors],
        individual_factors_en=[f.en for f in factors],
        rules_version=rules.version,
        guide_url=rules.guide_url,
    )
