"""Bundled boundary geometry for the map, keyed to registry codes.

``catchment_boundaries(code_by_name)`` returns the bundled ``catchment_areas.geojson`` with two properties added
to each feature: ``code`` (the catchment code, None on the Oslo feature) and ``name``. Shape::

    {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"hf": "...", "code": "unn",
      "name": "Universitetssykehuset Nord-Norge HF", "split_by_bydel": false, ...}, "geometry": {...}}]}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from tsbkart.reference.files import data_path

CATCHMENT_FILE = "catchment_areas.geojson"
KOMMUNE_FILE = "kommuner_2024.geojson"


def catchment_boundaries(code_by_name: Mapping[str, str]) -> dict[str, Any]:
    """The catchment polygons with registry codes, matched on the trust's full name.

    ``code_by_name`` maps a catchment's name to its code, e.g. ``{c.name: c.code for c in
    geography.catchments.values()}``.
    """
    collection: dict[str, Any] = orjson.loads(data_path(CATCHMENT_FILE).read_bytes())
    for feature in collection["features"]:
        properties = feature["properties"]
        hf = properties.get("hf")
        properties["code"] = code_by_name.get(hf) if hf else None
        properties["name"] = hf or "Oslo"
    return collection
