"""Atlas analytics: travel costs, nearest service, floating-catchment accessibility, variation statistics.

The public API for analysts is re-exported here; see docs/atlas-methods.md for the maths and examples.
"""

from tsbkart.analysis.costs import (
    EARTH_RADIUS_KM,
    CostMatrix,
    CostProvider,
    CostUnit,
    GreatCircle,
    ODMatrix,
    ODMatrixError,
    Points,
    great_circle_km,
    to_csr,
)

__all__ = [
    "EARTH_RADIUS_KM",
    "CostMatrix",
    "CostProvider",
    "CostUnit",
    "GreatCircle",
    "ODMatrix",
    "ODMatrixError",
    "Points",
    "great_circle_km",
    "to_csr",
]
