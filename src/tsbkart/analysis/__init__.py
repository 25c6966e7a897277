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
from tsbkart.analysis.fca import (
    LUO_QI_STEPS,
    balanced_fca,
    binary_decay,
    enhanced_two_step_fca,
    gaussian_decay,
    gaussian_two_step_fca,
    generalised_two_step_fca,
    step_decay,
    two_step_fca,
)
from tsbkart.analysis.nearest import (
    Nearest,
    nearest_by_type,
    nearest_from_matrix,
    nearest_service,
    share_within,
)
from tsbkart.analysis.rates import age_band, area_rates, indirect_rates, poisson_sd, read_counts
from tsbkart.analysis.variation import (
    SystematicComponent,
    capacity_variation,
    systematic_component,
    variation_table,
)

__all__ = [
    "EARTH_RADIUS_KM",
    "LUO_QI_STEPS",
    "CostMatrix",
    "CostProvider",
    "CostUnit",
    "GreatCircle",
    "Nearest",
    "ODMatrix",
    "ODMatrixError",
    "Points",
    "SystematicComponent",
    "age_band",
    "area_rates",
    "balanced_fca",
    "binary_decay",
    "capacity_variation",
    "enhanced_two_step_fca",
    "gaussian_decay",
    "gaussian_two_step_fca",
    "generalised_two_step_fca",
    "great_circle_km",
    "indirect_rates",
    "nearest_by_type",
    "nearest_from_matrix",
    "nearest_service",
    "poisson_sd",
    "read_counts",
    "share_within",
    "step_decay",
    "systematic_component",
    "to_csr",
    "two_step_fca",
    "variation_table",
]
