"""The ``responses=`` documentation shared by the API routes (200 shapes, 304, problem details)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from tsbkart.web.api.problems import PROBLEM_RESPONSES

NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (If-None-Match matched)."}
}


def documented(
    model: type[BaseModel], *, csv: bool = False, media_type: str = "application/json"
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for a read answering ``model`` (as ``media_type``, and optionally as CSV)."""
    content: dict[str, Any] = {}
    if media_type != "application/json":
        content[media_type] = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    ok: dict[str, Any] = {"model": model, "description": "OK"}
    if content:
        ok["content"] = content
    return {200: ok, **NOT_MODIFIED, **PROBLEM_RESPONSES}
