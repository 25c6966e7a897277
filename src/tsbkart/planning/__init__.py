"""Planning for leaders (issue #13): population projection, capacity scenarios, the golden rule.

The analyst API is re-exported here; see docs/planning.md.
"""

from tsbkart.planning.areas import Cube, Hierarchy, bundled_history
from tsbkart.planning.backtest import backtest, ssb_national, ssb_national_comparison
from tsbkart.planning.population import ProjectionInputError, project_population
from tsbkart.planning.projection import PopulationProjection, hamilton_perry_projection
from tsbkart.planning.settings import ProjectionSettings, default_settings
from tsbkart.planning.ssb import SsbImportError, SsbProjection, read_ssb_projection

__all__ = [
    "Cube",
    "Hierarchy",
    "PopulationProjection",
    "ProjectionInputError",
    "ProjectionSettings",
    "SsbImportError",
    "SsbProjection",
    "backtest",
    "bundled_history",
    "default_settings",
    "hamilton_perry_projection",
    "project_population",
    "read_ssb_projection",
    "ssb_national",
    "ssb_national_comparison",
]
