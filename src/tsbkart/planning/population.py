"""The population projection analysts and pages call: Hamilton-Perry on the bundled population, or SSB's
official projection where the user has imported it. Every result says which projection it used.

    proj = project_population()                        # launch 2026 (the last observed year), to 2040
    proj.label()                                       # "hamilton-perry"
    proj.frame("region", "ssb")                        # long pandas frame, one row per year/area/sex/group
    proj = project_population(ssb=read_ssb_projection(Path("14288.csv")))
    proj.label()                                       # "ssb-14288-MMMM"
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from tsbkart.planning.areas import bundled_history
from tsbkart.planning.controls import rake
from tsbkart.planning.projection import PopulationProjection, hamilton_perry_projection
from tsbkart.planning.settings import ProjectionSettings
from tsbkart.planning.ssb import NATION, SsbProjection, unit_values

__all__ = ["ProjectionInputError", "project_population"]


class ProjectionInputError(ValueError):
    """The requested projection cannot be made from the inputs (a message for the user)."""


def _check_years(ssb: SsbProjection, needed: range) -> None:
    missing = [y for y in needed if y not in ssb.years]
    if missing:
        raise ProjectionInputError(
            f"the SSB file covers {ssb.years[0]}-{ssb.years[-1]}; the projection needs {missing[0]}-{missing[-1]}"
        )


def _with_ssb(projection: PopulationProjection, ssb: SsbProjection) -> PopulationProjection:
    needed = range(projection.launch + 1, projection.years[-1] + 1)
    _check_years(ssb, needed)
    values = projection.values.copy()
    municipal = [c for c in ssb.codes if c != NATION]
    if not municipal:
        units = np.zeros(len(projection.hierarchy.units), dtype=np.intp)
        for year in needed:
            slot = projection.years.index(year)
            values[slot] = rake(values[slot], ssb.values[ssb.years.index(year), [0]], units)
        sources = (f"hamilton-perry controlled to {ssb.label} national",) * len(units)
        return replace(projection, values=values, sources=sources)
    uses = np.zeros(len(projection.hierarchy.units), dtype=bool)
    for year in needed:
        slot = projection.years.index(year)
        values[slot], uses = unit_values(ssb, projection.hierarchy, year, values[slot])
    sources = tuple(ssb.label if u else s for u, s in zip(uses, projection.sources, strict=True))
    return replace(projection, values=values, sources=sources)


def project_population(
    horizon: int = 2040,
    launch: int | None = None,
    ssb: SsbProjection | None = None,
    settings: ProjectionSettings | None = None,
) -> PopulationProjection:
    """Projection of the bundled small areas from ``launch`` (default: the last observed year) to ``horizon``.

    With ``ssb``: its values replace the Hamilton-Perry ones for every municipality it covers (Oslo's bydeler
    are split by Hamilton-Perry within SSB's Oslo); a file with only the nation controls the Hamilton-Perry
    small areas to SSB's national totals by sex and age. ``sources`` says which was used per small area.
    """
    hierarchy, history = bundled_history()
    launch = history.years[-1] if launch is None else launch
    if launch not in history.years:
        raise ProjectionInputError(
            f"launch year {launch} is not observed (population {history.years[0]}-{history.years[-1]})"
        )
    if horizon <= launch:
        raise ProjectionInputError(f"horizon {horizon} must be after the launch year {launch}")
    projection = hamilton_perry_projection(history, hierarchy, launch, horizon, settings)
    return projection if ssb is None else _with_ssb(projection, ssb)
