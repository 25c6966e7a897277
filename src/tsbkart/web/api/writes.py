"""The write API: ``POST /api/v1/{collection}``, ``PATCH`` and ``DELETE /api/v1/{collection}/{id}`` for every
record kind of ``registry/kinds.py`` (the collection is the kind's plural: ``units``, ``offers``,
``organisations``, ``teams``), with an API token (``Authorization: Bearer tsbk_...``; the guard checks it,
``web/access.yaml`` level ``token``) and the record's ETag in ``If-Match``.

Thin: ``tsbkart.stewardship.writes`` applies the write under the forms' validation and review rules; this
module reads the headers and body, answers 200 (published), 202 (a submitted change set, with its location),
and problem+json for 401/403/404/412/422/428. Every write is audited (``token_used``; a refusal
``permission_refused``), never with the token's secret. See docs/api.md, "Write API".
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import orjson
from fastapi import APIRouter, Request, Security
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from starlette.convertors import Convertor, register_url_convertor
from starlette.responses import Response

from tsbkart.registry.changes import Delete
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.versions import etag
from tsbkart.stewardship import changesets, tokens, writes
from tsbkart.stewardship.audit import AuditEvent, record
from tsbkart.stewardship.tokens import ApiToken, Operation
from tsbkart.web.api.openapi import IF_MATCH, STRING, WRITTEN_ETAG
from tsbkart.web.api.problems import PROBLEM_JSON, ApiProblem, ParameterError, Problem
from tsbkart.web.context import context_of
from tsbkart.web.stewardship.access import client_address

# The collection of a kind in the API's paths: its plural, as the read API names them.
COLLECTIONS = {f"{kind.name}s": kind.name for kind in KINDS}
BEARER = HTTPBearer(
    auto_error=False,
    scheme_name="apiToken",
    description="An API token of the organisation (tsbkart token add, or the page /forvalt/nokler).",
)


class Collection(Convertor[str]):
    regex = "|".join(COLLECTIONS)

    def convert(self, value: str) -> str:
        return COLLECTIONS[value]

    def to_string(self, value: str) -> str:
        return f"{value}s"


register_url_convertor("collection", Collection())


def _problem_doc(*statuses: int) -> dict[int | str, dict[str, Any]]:
    from http import HTTPStatus

    return {
        s: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": HTTPStatus(s).phrase}
        for s in statuses
    }


WRITTEN = {
    "description": "Published: the fields that need no review were committed as one revision.",
    "headers": WRITTEN_ETAG,
}
SUBMITTED = {
    "description": "Accepted: a change set was submitted for review (Location names it).",
    "headers": {
        **WRITTEN_ETAG,
        "Location": {"description": "The change set's status: /api/v1/change-sets/{id}.", "schema": STRING},
    },
}
BODY = {
    "required": True,
    "content": {"application/json": {"schema": {"type": "object", "additionalProperties": True}}},
}
router = APIRouter(tags=["write"], dependencies=[Security(BEARER)])


def _token(request: Request) -> ApiToken:
    token: ApiToken = request.state.api_token
    return token


async def _body(request: Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        body = None
    if not isinstance(body, dict):
        raise ApiProblem(
            422,
            "the body must be a JSON object",
            [ParameterError(parameter="body", message="not a JSON object")],
        )
    return body


async def _audit(
    request: Request, token: ApiToken, action: str, outcome: str, target: str, detail: dict[str, Any]
) -> None:
    event = AuditEvent(action, token.actor, outcome, target, client_address(request), detail)  # type: ignore[arg-type]
    await anyio.to_thread.run_sync(record, request.app.state.auth.engine, event)


def _answer(written: writes.Written) -> Response:
    body: dict[str, Any] = {
        "outcome": written.outcome,
        "kind": written.kind,
        "id": written.record_id,
        "version": written.version,
        "revision": written.revision,
        "change_set": written.change_set_id,
    }
    headers: dict[str, str] = {"Cache-Control": "no-store"}
    if written.version:
        headers["ETag"] = etag(written.version)
    if written.outcome == "submitted":
        # The API's own status of the change set, readable with the same token (the review page needs a sign-in).
        headers["Location"] = f"/api/v1/change-sets/{written.change_set_id}"
        body["review_page"] = f"/forvalt/endringer/{written.change_set_id}"
        return JSONResponse(body, status_code=202, headers=headers)
    return JSONResponse(body, status_code=200, headers=headers)


async def _write(
    request: Request, operation: Operation, kind: str, record_id: str | None, body: dict[str, Any] | None
) -> Response:
    token = _token(request)
    if_match = None if operation == "create" else request.headers.get("if-match")
    ctx = context_of(request)
    runtime = request.app.state.auth
    registry = request.app.state.tsbkart.registry
    target = f"{kind}:{record_id or (body or {}).get('id', '?')}"
    detail: dict[str, Any] = {"operation": operation, "organisation": token.organisation_id}
    try:
        written = await anyio.to_thread.run_sync(
            lambda: writes.write(
                runtime.engine,
                registry,
                token,
                operation,
                kind,
                record_id,
                body,
                if_match=if_match,
                today=ctx.today,
                now=runtime.now(),
                source=client_address(request),
            )
        )
    except writes.OutsideToken as refused:
        await _audit(
            request,
            token,
            "permission_refused",
            "refused",
            target,
            {**detail, "reason": f"token:{refused.reason}"},
        )
        raise ApiProblem(403, str(refused)) from None
    except writes.InvalidBody as invalid:
        await _audit(request, token, "token_used", "failed", target, {**detail, "status": 422})
        errors = [ParameterError(parameter=p.field, message=str(p.message)) for p in invalid.problems]
        raise ApiProblem(422, str(invalid), errors) from None
    except writes.VersionRequired as missing:
        raise ApiProblem(
            428, str(missing), [ParameterError(parameter="If-Match", message="missing")]
        ) from None
    except writes.Stale as stale:
        await _audit(request, token, "token_used", "failed", target, {**detail, "status": 412})
        raise ApiProblem(
            412, str(stale), [ParameterError(parameter="If-Match", message=str(stale))]
        ) from None
    outcome_detail = {
        **detail,
        "outcome": written.outcome,
        "revision": written.revision,
        "change_set": written.change_set_id,
    }
    await _audit(request, token, "token_used", "ok", target, outcome_detail)
    return _answer(written)


@router.post(
    "/{collection:collection}",
    summary="Create a record (always reviewed: answers 202 with the change set)",
    responses={202: SUBMITTED, **_problem_doc(401, 403, 404, 412, 422)},
    openapi_extra={"requestBody": BODY},
    status_code=202,
)
async def create_record(request: Request, collection: str) -> Response:
    return await _write(request, "create", collection, None, await _body(request))


@router.patch(
    "/{collection:collection}/{record_id:path}",
    summary="Change some fields of a record",
    responses={200: WRITTEN, 202: SUBMITTED, **_problem_doc(401, 403, 404, 412, 422, 428)},
    openapi_extra={"requestBody": BODY, "parameters": [IF_MATCH]},
)
async def update_record(request: Request, collection: str, record_id: str) -> Response:
    return await _write(request, "update", collection, record_id, await _body(request))


@router.delete(
    "/{collection:collection}/{record_id:path}",
    summary="Delete a record (always reviewed: answers 202 with the change set)",
    responses={202: SUBMITTED, **_problem_doc(401, 403, 404, 412, 428)},
    openapi_extra={"parameters": [IF_MATCH]},
    status_code=202,
)
async def delete_record(request: Request, collection: str, record_id: str) -> Response:
    return await _write(request, "delete", collection, record_id, None)


@router.get(
    "/change-sets/{change_set_id}",
    summary="The status of a change set this organisation's token submitted (or any of the organisation's)",
    responses={200: {"description": "The change set's status"}, **_problem_doc(401, 404)},
)
async def change_set_status(request: Request, change_set_id: int) -> Response:
    """A system polls what became of its reviewed write: submitted, approved (with the revision), rejected
    (with the reason), withdrawn. Another organisation's change set answers 404, as a missing one does."""
    token = _token(request)
    engine = request.app.state.auth.engine
    try:
        found = await anyio.to_thread.run_sync(changesets.get, engine, change_set_id)
    except changesets.ChangeSetNotFound:
        found = None
    if found is None or found.organisation_id != token.organisation_id:
        raise ApiProblem(404, "no change set of this token's organisation has this id")
    body = {
        "id": found.id,
        "organisation": found.organisation_id,
        "status": found.status,
        "submitted_at": found.submitted_at.isoformat() if found.submitted_at else None,
        "decided_at": found.decided_at.isoformat() if found.decided_at else None,
        "reason": found.reason,
        "revision": found.revision_id,
        "changes": [
            {
                "kind": kind,
                "id": record_id,
                "operation": "delete" if isinstance(change, Delete) else "upsert",
            }
            for change in found.changes
            for kind, record_id in [changesets.kind_and_id(change)]
        ],
        "review_page": f"/forvalt/endringer/{found.id}",
    }
    return JSONResponse(body, headers={"Cache-Control": "no-store"})


__all__ = ["COLLECTIONS", "router", "tokens"]
