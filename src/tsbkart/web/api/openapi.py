"""The ``responses=`` documentation shared by the API routes (200 shapes, 304, problem details) and the
version headers: every read's ``ETag`` (the document's, for caching), a one-record read's ``Record-ETag`` (the
record's version, what a write's ``If-Match`` states), a write's ``ETag`` (the record's new version)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from tsbkart.web.api.problems import PROBLEM_RESPONSES

STRING = {"type": "string"}
ETAG: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": "The document's tag (revision, as_of and the normalised query): send it in "
        "If-None-Match to get 304 while nothing changed. Not a record's version.",
        "schema": STRING,
    }
}
RECORD_ETAG: dict[str, dict[str, Any]] = {
    "Record-ETag": {
        "description": 'The record\'s own version (e.g. "v12"): what a PATCH or DELETE states in If-Match.',
        "schema": STRING,
    }
}
WRITTEN_ETAG: dict[str, dict[str, Any]] = {
    "ETag": {
        "description": 'The record\'s published version after this write (e.g. "v13"), when it has one: what the '
        "next write of the record states in If-Match. After a 202 it does not include the change set under "
        "review.",
        "schema": STRING,
    }
}
IF_MATCH: dict[str, Any] = {
    "name": "If-Match",
    "in": "header",
    "required": True,
    "schema": STRING,
    "description": 'The record\'s version (e.g. "v12") as a one-record GET /api/v1/{collection}/{id} names it in '
    "Record-ETag, or as the write that published it answered it in ETag. Missing: 428; no longer current, "
    "weak or foreign: 412.",
}
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not modified (If-None-Match matched).", "headers": ETAG}
}


def documented(
    model: type[BaseModel], *, csv: bool = False, media_type: str = "application/json", record: bool = False
) -> dict[int | str, dict[str, Any]]:
    """OpenAPI responses for a read answering ``model`` (as ``media_type``, and optionally as CSV); ``record``:
    a one-record read, which also names the record's version in ``Record-ETag``."""
    content: dict[str, Any] = {}
    if media_type != "application/json":
        content[media_type] = {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
    if csv:
        content["text/csv"] = {"schema": {"type": "string"}}
    ok: dict[str, Any] = {
        "model": model,
        "description": "OK",
        "headers": ETAG | (RECORD_ETAG if record else {}),
    }
    if content:
        ok["content"] = content
    return {200: ok, **NOT_MODIFIED, **PROBLEM_RESPONSES}
