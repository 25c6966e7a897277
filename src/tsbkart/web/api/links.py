"""OpenAPI links from each list to its record, derived from the routes (none written by hand).

A list ``GET /api/v1/units`` and a record ``GET /api/v1/units/{unit_id}`` are linked: the first item of the
list's answer gives the record's parameter (``unit_id`` from ``items[0].id``; a parameter not ending in
``_id``, such as ``code`` or ``name``, is the item's field of that name). Clients and schemathesis's
stateful tests follow these links::

    "links": {"record": {"operationRef": "#/paths/~1api~1v1~1units~1{unit_id}/get",
                         "parameters": {"unit_id": "$response.body#/items/0/id"}}}
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

_RECORD = re.compile(r"^(?P<list>/api/v1/[a-z_]+)/\{(?P<param>[a-z_]+)(?::path)?\}$")


def _pointer(path: str) -> str:
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/get"


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with a link from every list's 200 answer to the record route below it."""
    paths: dict[str, Any] = schema.get("paths", {})
    for path in list(paths):
        found = _RECORD.match(path)
        listed = paths.get(found["list"], {}).get("get") if found else None
        if found is None or listed is None or "get" not in paths[path]:
            continue
        param = found["param"]
        field = "id" if param.endswith("_id") else param
        ok = listed.setdefault("responses", {}).setdefault("200", {"description": "OK"})
        ok.setdefault("links", {})["record"] = {
            "operationRef": _pointer(path),
            "parameters": {param: f"$response.body#/items/0/{field}"},
            "description": f"The first listed record ({field}) at {path}",
        }
    return schema


def install_links(app: FastAPI) -> None:
    """Wrap the app's OpenAPI builder so the served schema carries the links."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = add_links(build())
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
