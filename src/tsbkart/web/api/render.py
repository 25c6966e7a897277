"""Render plain data as JSON, CSV or GeoJSON with validators for conditional requests.

Every read answers with ``ETag`` (a hash of the revision, ``as_of`` and the normalised query) and
``Last-Modified`` (the commit time of the snapshot's revision), and with 304 when ``If-None-Match`` (or,
without it, ``If-Modified-Since``) shows the client already has it.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any, Literal

import orjson
from fastapi import Request, Response
from fastapi.responses import StreamingResponse

from tsbkart.exchange.spreadsheet import Cell, csv_text
from tsbkart.query.units import Page
from tsbkart.registry.versions import etag as record_etag
from tsbkart.web.api.documents import DocumentCache

Format = Literal["json", "csv"]
GEOJSON = "application/geo+json"
CSV = "text/csv; charset=utf-8"
# Bodies larger than this go out in chunks, so one large answer does not hold the event loop in one write.
STREAM_FROM_BYTES = 256 * 1024
STREAM_CHUNK_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class Read:
    """What a response depends on: the snapshot's revision and commit time, and the requested date."""

    revision: int
    last_modified: datetime | None
    as_of: date | None


def etag(request: Request, read: Read) -> str:
    query = sorted(request.query_params.multi_items())
    key = orjson.dumps([read.revision, str(read.as_of), request.url.path, query]).decode()
    return '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'


def _not_modified(request: Request, tag: str, read: Read) -> bool:
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        candidates = {c.strip().removeprefix("W/") for c in if_none_match.split(",")}
        return tag in candidates or "*" in candidates
    since = request.headers.get("if-modified-since")
    if since and read.last_modified is not None:
        try:
            client = parsedate_to_datetime(since)
        except (TypeError, ValueError, IndexError):
            return False
        if client.tzinfo is None:
            return False
        return read.last_modified.replace(microsecond=0) <= client
    return False


def _headers(tag: str, read: Read) -> dict[str, str]:
    headers = {"ETag": tag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if read.last_modified is not None:
        headers["Last-Modified"] = format_datetime(read.last_modified, usegmt=True)
    return headers


def respond(request: Request, read: Read, body: bytes | Any, media_type: str) -> Response:
    """``body`` (bytes, or data to encode as JSON) with caching headers, or 304."""
    tag = etag(request, read)
    headers = _headers(tag, read)
    if _not_modified(request, tag, read):
        return Response(status_code=304, headers=headers)
    content = body if isinstance(body, bytes) else encode_json(body)
    return Response(content=content, media_type=media_type, headers=headers)


RECORD_ETAG = "Record-ETag"


def with_record_etag(response: Response, snapshot: Any, kind: str, record_id: str) -> Response:
    """A one-record read also names the record's own version (``registry.versions.etag``): what a write with
    ``If-Match`` states (the answer's ``ETag`` is the document's, for caching, and changes with related data)."""
    response.headers[RECORD_ETAG] = record_etag(snapshot.version(kind, record_id))
    return response


def encode_json(data: Any) -> bytes:
    return orjson.dumps(data)


def page_body(page: Page) -> dict[str, Any]:
    body = {"items": page.items, "total": page.total, "limit": page.limit, "offset": page.offset}
    if page.explanation is not None:
        body["explanation"] = page.explanation
    return body


def _cell(value: Any) -> Cell:
    """A list becomes one ``;``-joined cell; everything else is written as it is (text formula-guarded)."""
    if isinstance(value, list | tuple):
        return ";".join(_item_text(v) for v in value)
    return _csv_value(value)


def _item_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv_value(value: Any) -> Cell:
    if value is None or isinstance(value, str | int | float | date):
        return value
    return str(value)


def flatten(record: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested dicts become ``parent_child`` columns: {"provenance": {"source": s}} -> {"provenance_source": s}."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, Mapping):
            flat |= flatten(value, f"{prefix}{key}_")
        elif isinstance(value, list) and value and isinstance(value[0], Mapping):
            flat[f"{prefix}{key}"] = [v.get("id", v.get("code", "")) for v in value]
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def to_csv(records: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> bytes:
    """CSV with a header row; ``columns`` is the header of an empty list (rows bring their own keys)."""
    rows = [flatten(r) for r in records]
    header = list(dict.fromkeys(k for row in rows for k in row)) if rows else list(columns)
    table: list[list[Cell]] = [list(header), *([_cell(row.get(k)) for k in header] for row in rows)]
    return csv_text(table, line_end="\r\n").encode("utf-8")


def respond_page(request: Request, read: Read, page: Page, fmt: Format, columns: Sequence[str]) -> Response:
    if fmt == "csv":
        return respond(request, read, to_csv(page.items, columns), CSV)
    return respond(request, read, page_body(page), "application/json")


async def respond_built(
    request: Request, read: Read, media_type: str, build: Callable[[], bytes]
) -> Response:
    """Like ``respond``, for a body that costs CPU: ``build()`` runs once per ETag in a worker thread, and
    the answer comes from the app's document cache, precompressed and streamed when large."""
    tag = etag(request, read)
    headers = _headers(tag, read)
    if _not_modified(request, tag, read):
        return Response(status_code=304, headers=headers)
    cache: DocumentCache = request.app.state.documents
    document = await cache.document(f"{media_type} {tag}", build)
    encoding, body = document.variant(request.headers.get("accept-encoding"))
    if encoding != "identity":
        headers["Content-Encoding"] = encoding
    if len(body) <= STREAM_FROM_BYTES:
        return Response(content=body, media_type=media_type, headers=headers)
    headers["Content-Length"] = str(len(body))
    return StreamingResponse(_chunks(body), media_type=media_type, headers=headers)


async def _chunks(body: bytes) -> AsyncIterator[bytes]:
    view = memoryview(body)
    for start in range(0, len(body), STREAM_CHUNK_BYTES):
        yield bytes(view[start : start + STREAM_CHUNK_BYTES])


async def respond_list(
    request: Request, read: Read, build: Callable[[], Page], fmt: Format, columns: Sequence[str]
) -> Response:
    """A list answer (JSON page or CSV) built by ``build()`` through ``respond_built``."""
    if fmt == "csv":
        return await respond_built(request, read, CSV, lambda: to_csv(build().items, columns))
    return await respond_built(request, read, "application/json", lambda: encode_json(page_body(build())))
