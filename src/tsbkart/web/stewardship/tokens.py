"""The API tokens page ``/forvalt/nokler``: a steward's organisations' tokens (an administrator's: all), a form
to make one (its secret is shown once, on the answer to that POST, never stored) and a revoke button each.

Thin: ``tsbkart.stewardship.tokens`` holds the rules; every change checks ``token.manage`` on the token's
organisation (``access.require``, refusals audited) and is audited by the core.
"""

from __future__ import annotations

from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from tsbkart.domain.schema import schema_of
from tsbkart.registry.kinds import KINDS
from tsbkart.stewardship import tokens
from tsbkart.stewardship.policy import Resource
from tsbkart.stewardship.roles import Principal
from tsbkart.web.context import context_of
from tsbkart.web.i18n import catalogue
from tsbkart.web.stewardship.access import client_address, principal_of, require
from tsbkart.web.stewardship.render import page

router = APIRouter(include_in_schema=False)


def _organisations(request: Request, principal: Principal) -> list[tuple[str, str]]:
    """(id, name) of the organisations whose tokens the principal manages."""
    organisations = context_of(request).snapshot.organisations
    if principal.has_role("administrator"):
        ids = sorted(organisations)
    else:
        ids = sorted(code for _, code in principal.scopes("steward"))
    return [(i, organisations[i].name if i in organisations else i) for i in ids]


def _fields() -> list[str]:
    """Field names a token can be narrowed to: every kind's schema fields, each once."""
    return sorted({spec.key for kind in KINDS for spec in schema_of(kind.cls).fields})


def _page(
    request: Request,
    *,
    secret: str | None = None,
    made: tokens.ApiToken | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    principal = principal_of(request)
    assert principal is not None
    organisations = _organisations(request, principal)
    runtime = request.app.state.auth
    with Session(runtime.engine) as session:
        found = tokens.list_tokens(session, [i for i, _ in organisations])
    gettext = catalogue(context_of(request).language).gettext
    context: dict[str, Any] = {
        "title": gettext("API tokens"),
        "tokens": found,
        "now": runtime.now(),
        "organisations": organisations,
        "scopes": list(tokens.load_rules().scopes),
        "kinds": KINDS.names(),
        "fields": _fields(),
        "default_days": tokens.load_rules().default_days,
        "max_days": tokens.load_rules().max_days,
        "secret": secret,
        "made": made,
        "error": error,
    }
    return page(request, "reports/tokens.html", context, status)


@router.get("/forvalt/nokler")
def token_page(request: Request) -> Response:
    return _page(request)


@router.post("/forvalt/nokler")
async def make_token(
    request: Request,
    organisation: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=400)] = "",
    scope: Annotated[list[str] | None, Form(max_length=40)] = None,
    kind: Annotated[list[str] | None, Form(max_length=40)] = None,
    fields: Annotated[str, Form(max_length=2000)] = "",
    days: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    resource = Resource(organisation_id=organisation)
    principal = await require(request, "token.manage", resource, f"organisation:{organisation}")
    runtime = request.app.state.auth
    gettext = catalogue(context_of(request).language).gettext
    wanted = [f.strip() for f in fields.replace(";", ",").split(",") if f.strip()]
    try:
        lifetime = int(days) if days.strip() else None
    except ValueError:
        message = gettext("The number of days must be a whole number.")
        return await anyio.to_thread.run_sync(lambda: _page(request, error=message, status=422))

    def make() -> tuple[tokens.ApiToken, str]:
        with Session(runtime.engine, expire_on_commit=False) as session, session.begin():
            return tokens.create_token(
                session,
                organisation,
                name,
                scope or [],
                kinds=kind or None,
                fields=wanted or None,
                days=lifetime,
                by=principal.actor,
                now=runtime.now(),
                source=client_address(request),
            )

    try:
        made, secret = await anyio.to_thread.run_sync(make)
    except tokens.TokenInvalid as problem:
        message = problem.text.translate(gettext)
        return await anyio.to_thread.run_sync(lambda: _page(request, error=message, status=422))
    return await anyio.to_thread.run_sync(lambda: _page(request, secret=secret, made=made, status=201))


@router.post("/forvalt/nokler/{token_id}/trekk-tilbake")
async def revoke_token(request: Request, token_id: int) -> Response:
    runtime = request.app.state.auth

    def found() -> tokens.ApiToken:
        with Session(runtime.engine) as session:
            return tokens.get_token(session, token_id)

    token = await anyio.to_thread.run_sync(found)
    resource = Resource(organisation_id=token.organisation_id)
    principal = await require(request, "token.manage", resource, f"api_token:{token.id}")

    def revoke() -> None:
        with Session(runtime.engine) as session, session.begin():
            tokens.revoke_token(
                session, token_id, by=principal.actor, now=runtime.now(), source=client_address(request)
            )

    await anyio.to_thread.run_sync(revoke)
    return RedirectResponse("/forvalt/nokler", status_code=303)
