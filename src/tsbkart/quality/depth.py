"""How deep the registry's data go, per catchment area: the share of units with each fact a referrer acts on.

Which facts count, and where they are read, is data (``depth.yaml``). Shape, by example::

    report = depth(snapshot)
    report.facts[0]            # DepthFact(code="phone", label={"nb": "Telefon", "en": "Phone"}, ...)
    row = report.rows[0]       # DepthRow(code="ahus", name="Akershus ...", units=8, teams=1,
                               #          with_fact={"phone": 0, "website": 2, ...})
    row.share("website")       # 0.25 (None when the area has no units)
    report.total               # the same for the whole country (code "", units outside any area included)
    area_depth(snapshot, ["unit-a", "unit-b"])   # a DepthRow for any set of units (the area pages)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict

from tsbkart.registry.snapshot import RegistrySnapshot


class DepthFact(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    code: str
    label: dict[str, str]
    unit: tuple[str, ...] = ()
    offer: tuple[str, ...] = ()


class DepthRules(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: int
    facts: tuple[DepthFact, ...]


@dataclass(frozen=True, slots=True)
class DepthRow:
    code: str  # catchment code; "" for the national total
    name: str
    units: int
    teams: int
    with_fact: Mapping[str, int]

    def share(self, fact: str) -> float | None:
        return self.with_fact[fact] / self.units if self.units else None


@dataclass(frozen=True, slots=True)
class DepthReport:
    facts: tuple[DepthFact, ...]
    rows: tuple[DepthRow, ...]  # one per catchment area, by name
    total: DepthRow

    def row(self, code: str) -> DepthRow | None:
        return next((r for r in self.rows if r.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        def as_dict(row: DepthRow) -> dict[str, Any]:
            return {
                "code": row.code,
                "name": row.name,
                "units": row.units,
                "teams": row.teams,
                "with_fact": dict(row.with_fact),
            }

        return {
            "facts": [f.model_dump() for f in self.facts],
            "rows": [as_dict(r) for r in self.rows],
            "total": as_dict(self.total),
        }


@cache
def load_depth_rules() -> DepthRules:
    text = (resources.files("tsbkart.quality") / "depth.yaml").read_text(encoding="utf-8")
    return DepthRules.model_validate(yaml.safe_load(text))


def known(value: object) -> bool:
    """Known = not None, not an empty string or list, not the code "unknown" (unknown never counts as no)."""
    return not (
        value is None or value == () or value == "unknown" or (isinstance(value, str) and not value.strip())
    )


def _unit_facts(snapshot: RegistrySnapshot, facts: Sequence[DepthFact]) -> pd.DataFrame:
    """One row per unit: its catchment and, per fact, whether the unit or one of its offers states it."""
    units = list(snapshot.units.values())
    frame = pd.DataFrame(
        {"unit": [u.id for u in units], "catchment": [u.catchment_code or "" for u in units]}
    )
    offers = list(snapshot.offers.values())
    offer_units = pd.Series([o.unit_id for o in offers], dtype="object")
    for fact in facts:
        on_unit = pd.Series([any(known(getattr(u, f)) for f in fact.unit) for u in units], dtype=bool)
        by_offer = pd.Series([any(known(getattr(o, f)) for f in fact.offer) for o in offers], dtype=bool)
        offered = set(offer_units[by_offer.to_numpy()]) if len(offers) else set()
        frame[fact.code] = on_unit.to_numpy() | frame["unit"].isin(offered).to_numpy()
    return frame


def depth(snapshot: RegistrySnapshot, rules: DepthRules | None = None) -> DepthReport:
    """The depth of every fact in ``rules`` (default ``depth.yaml``) per catchment area and for the country."""
    facts = (rules or load_depth_rules()).facts
    frame = _unit_facts(snapshot, facts)
    codes = [f.code for f in facts]
    counts: dict[str, dict[str, int]] = {
        str(k): {str(c): int(v) for c, v in row.items()}
        for k, row in frame.groupby("catchment")[codes].sum().to_dict(orient="index").items()
    }
    units = frame.groupby("catchment").size()
    teams = pd.Series(
        [t.catchment_code or "" for t in snapshot.teams.values()], dtype="object"
    ).value_counts()

    def row(code: str, name: str) -> DepthRow:
        with_fact = {c: counts.get(code, {}).get(c, 0) for c in codes}
        return DepthRow(code, name, int(units.get(code, 0)), int(teams.get(code, 0)), with_fact)

    rows = tuple(
        row(c.code, c.name) for c in sorted(snapshot.geography.catchments.values(), key=lambda c: c.name)
    )
    total = DepthRow("", "", len(frame), len(snapshot.teams), {c: int(frame[c].sum()) for c in codes})
    return DepthReport(facts, rows, total)


def area_depth(
    snapshot: RegistrySnapshot, unit_ids: Sequence[str], rules: DepthRules | None = None
) -> DepthRow:
    """The depth of the given units (an area page's units), code and name left empty."""
    facts = (rules or load_depth_rules()).facts
    frame = _unit_facts(snapshot, facts)
    chosen = frame[frame["unit"].isin(set(unit_ids))]
    return DepthRow("", "", len(chosen), 0, {f.code: int(chosen[f.code].sum()) for f in facts})


def render_depth_text(report: DepthReport, language: str = "en") -> str:
    """A fixed-width table: area, units, teams, then per fact the share of units that state it."""
    title = {
        "nb": "Datadybde per opptaksområde (andel enheter med opplysningen)",
        "en": "Data depth per catchment area (share of units with the fact)",
    }[language]
    area, units, teams, country = {
        "nb": ("Område", "Enheter", "Team", "Hele landet"),
        "en": ("Area", "Units", "Teams", "Whole country"),
    }[language]
    heads = [f.label[language] for f in report.facts]
    lines = [title, f"{area:<38} {units:>7} {teams:>5} " + " ".join(f"{h:>13}" for h in heads)]
    for row in (
        *report.rows,
        DepthRow("", country, report.total.units, report.total.teams, report.total.with_fact),
    ):
        cells = []
        for fact in report.facts:
            share = row.share(fact.code)
            cells.append(f"{'–' if share is None else f'{share:.0%}':>13}")
        lines.append(f"{row.name[:38]:<38} {row.units:>7} {row.teams:>5} " + " ".join(cells))
    return "\n".join(lines) + "\n"
