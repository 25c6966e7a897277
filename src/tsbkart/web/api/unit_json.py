"""A per-snapshot cache of each unit's JSON text, so a units page is joined, not re-encoded.

Encoding 50 unit rows with ``json`` costs about as much as the whole query; the unit part of each row
only changes with the snapshot, and only ``lat``, ``lon`` and ``distance_km`` vary per request. The output
is byte-for-byte what ``encode_json(page_body(page))`` gives (a test checks it).
"""

from __future__ import annotations

import math
from typing import Any

import orjson

from tsbkart.query.units import Page
from tsbkart.registry.snapshot import RegistrySnapshot

PER_REQUEST = ("lat", "lon", "distance_km")
# Varies with the query's target-group filter: a code or null.
PER_REQUEST_CODES = ("target_group_fit",)


def _dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def _number(value: float | None) -> str:
    """JSON for a per-request coordinate or distance, as ``json`` writes it (floats via repr) but faster."""
    if value is None:
        return "null"
    if not math.isfinite(value):
        raise ValueError(f"not a JSON number: {value!r}")
    return repr(float(value))


def _new_fragments(_: RegistrySnapshot) -> dict[str, str]:
    return {}


class UnitJson:
    """Owned by the app (``app.state.unit_json``); the fragments live with their snapshot."""

    def _fragments_for(self, snapshot: RegistrySnapshot) -> dict[str, str]:
        return snapshot.derived("api.unit_json_fragments", _new_fragments)

    def page(self, snapshot: RegistrySnapshot, page: Page) -> bytes:
        fragments = self._fragments_for(snapshot)
        rows = []
        for item in page.items:
            fragment = fragments.get(item["id"])
            if fragment is None:
                fragment = _dumps(
                    {k: v for k, v in item.items() if k not in (*PER_REQUEST, *PER_REQUEST_CODES)}
                )[:-1]
                fragments[item["id"]] = fragment
            extra = ",".join(
                [f'"{k}":{_number(item[k])}' for k in PER_REQUEST]
                + [f'"{k}":{_dumps(item[k])}' for k in PER_REQUEST_CODES]
            )
            rows.append(f"{fragment},{extra}}}")
        explanation = "" if page.explanation is None else f',"explanation":{_dumps(page.explanation)}'
        head = (
            f'{{"items":[{",".join(rows)}],"total":{page.total},"limit":{page.limit},"offset":{page.offset}'
            f"{explanation}}}"
        )
        return head.encode()
