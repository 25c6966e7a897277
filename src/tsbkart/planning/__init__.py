"""Planning for leaders (issue #13): population projection, capacity scenarios, the golden rule.

The analyst API is re-exported here; see docs/planning.md.
"""

from tsbkart.planning.areas import Cube, Hierarchy, bundled_history
from tsbkart.planning.backtest import backtest, ssb_national, ssb_national_comparison
from tsbkart.planning.capacity import CapacityOptions, capacity_projection
from tsbkart.planning.population import ProjectionInputError, project_population
from tsbkart.planning.projection import PopulationProjection, hamilton_perry_projection
from tsbkart.planning.scenarios import ScenarioBook, ScenarioError, load_scenarios
from tsbkart.planning.series import load_series
from tsbkart.planning.settings import ProjectionSettings, default_settings
from tsbkart.planning.ssb import SsbImportError, SsbProjection, read_ssb_projection
from tsbkart.planning.stated import stated_beds
from tsbkart.planning.usage import Usage, UsageImportError, example_usage, read_usage, usage_csv

__all__ = [
    "CapacityOptions",
    "Cube",
    "Hierarchy",
    "PopulationProjection",
    "ProjectionInputError",
    "ProjectionSettings",
    "ScenarioBook",
    "ScenarioError",
    "SsbImportError",
    "SsbProjection",
    "Usage",
    "UsageImportError",
    "backtest",
    "bundled_history",
    "capacity_projection",
    "default_settings",
    "example_usage",
    "hamilton_perry_projection",
    "load_scenarios",
    "load_series",
    "project_population",
    "read_ssb_projection",
    "read_usage",
    "ssb_national",
    "ssb_national_comparison",
    "stated_beds",
    "usage_csv",
]
