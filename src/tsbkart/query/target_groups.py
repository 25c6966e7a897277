"""Whether a service offer serves a target group, at the level a source states it: the one rule the map, the API
and the finder share.

A source states target groups either for one offer (``ServiceOffer.target_groups``) or for a whole unit
(``Unit.target_groups``); an offer with groups of its own is described by those, one without by its unit's.
Nothing is copied from one level to the other, so the answer says which level it rests on::

    fit(offer, unit, "young")    # "stated"           the offer lists the group
                                 # "stated_for_unit"  the offer lists none, its unit lists the group
                                 # "possible"         no restriction stated that rules the group out
                                 # "stated_not"       stated age limits or age bands leave the group out

Only age excludes: an age-band group (vocabulary ``kind: age`` with bounds, e.g. ``under_18`` = 0-17) is
"stated_not" where the offer's ``age_min``/``age_max`` or the stated age bands (none of them unbounded, like
``young``) do not overlap its band. A unit that states "ROP" or "gambling" does not say it turns others away,
so population groups and substances are "stated" or "possible", never "stated_not".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import cache
from typing import Literal, get_args

from tsbkart.domain.entities import ServiceOffer, Unit
from tsbkart.vocab import load_vocabularies

Fit = Literal["stated", "stated_for_unit", "possible", "stated_not"]
# Best first: the order a unit's offers are ranked in, and the order counts are explained in.
FITS: tuple[Fit, ...] = get_args(Fit)
Match = Literal["stated", "possible"]
MATCHES: tuple[Match, ...] = get_args(Match)
DEFAULT_MATCH: Match = "possible"
# What each match shows: "stated" the groups a source names, "possible" also where nothing rules the group out.
SHOWN: dict[Match, frozenset[Fit]] = {
    "stated": frozenset({"stated", "stated_for_unit"}),
    "possible": frozenset({"stated", "stated_for_unit", "possible"}),
}
OLDEST = 200  # years: the open upper end of an age band

Band = tuple[int, int]


@cache
def _bands() -> dict[str, Band | None]:
    """Target group code -> its age band (inclusive years), None for an age group without bounds (``young``);
    groups of other kinds are absent."""
    out: dict[str, Band | None] = {}
    for term in load_vocabularies()["target_groups"]:
        if term.get("kind") != "age":
            continue
        low, high = term.get("age_min"), term.get("age_max")
        out[term.code] = (
            None if low is None and high is None else (low or 0, OLDEST if high is None else high)
        )
    return out


def _overlaps(a: Band, b: Band) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def _excluded_by_bands(band: Band, groups: Sequence[str]) -> bool:
    """True when ``groups`` state age bands and none of them (nor an unbounded one) meets ``band``."""
    bands = _bands()
    stated = [bands[g] for g in groups if g in bands]
    if not stated or any(b is None for b in stated):
        return False
    return not any(_overlaps(band, b) for b in stated if b is not None)


def stated_groups(offer: ServiceOffer | None, unit: Unit | None) -> tuple[tuple[str, ...], bool]:
    """(the groups that describe ``offer``, whether they are its unit's): the offer's own, else the unit's."""
    if offer is not None and offer.target_groups:
        return offer.target_groups, False
    return (unit.target_groups if unit is not None else ()), True


def fit(offer: ServiceOffer | None, unit: Unit | None, group: str) -> Fit:
    """How ``offer`` (of ``unit``; None = the unit as a whole) serves target group ``group`` (a vocabulary code).

    An offer without groups of its own, of a unit stating ``("young",)``: "young" -> "stated_for_unit",
    "under_18" -> "possible" (``young`` has no bounds), "alcohol" -> "possible".
    """
    groups, of_unit = stated_groups(offer, unit)
    if group in groups:
        return "stated_for_unit" if of_unit else "stated"
    band = _bands().get(group)
    if band is None:
        return "possible"
    if offer is not None and (offer.age_min is not None or offer.age_max is not None):
        limits = (offer.age_min or 0, OLDEST if offer.age_max is None else offer.age_max)
        if not _overlaps(band, limits):
            return "stated_not"
    # Age bands the offer states describe it; otherwise the unit's (an offer stating only a substance still
    # belongs to a youth unit).
    own_bands = [g for g in (offer.target_groups if offer is not None else ()) if g in _bands()]
    unit_groups = unit.target_groups if unit is not None else ()
    if _excluded_by_bands(band, own_bands or unit_groups):
        return "stated_not"
    return "possible"


def best_fit(offer: ServiceOffer | None, unit: Unit | None, groups: Iterable[str]) -> Fit:
    """The best fit over ``groups`` (alternatives, as a filter's codes are): "stated_not" only when none fits."""
    fits = [fit(offer, unit, g) for g in groups]
    return min(fits, key=FITS.index) if fits else "possible"


def best(fits: Iterable[Fit]) -> Fit | None:
    """The best of ``fits`` (a unit's over its offers), None when there are none."""
    return min(fits, key=FITS.index, default=None)
