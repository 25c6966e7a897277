"""Access to every route, from ``web/access.yaml``: the rule table, the guard every request passes, and the
answers to refused requests (a sign-in redirect or a 403 page for browsers, problem+json for the API).

``guard`` is an app-wide dependency: it finds the matched route's rule, checks the CSRF token on every POST
that is not ``public``, then the level (``signed_in``) or the action's role (``stewardship/policy.py``).
A ``public_form`` (the public's error report) needs no session: its token is an HMAC of the form's path and the
hour the form was rendered (``public_form_token``), so the page that shows it sets no cookie and stays
cacheable, and a form taken from this site stays good for ``PUBLIC_FORM_HOURS``.
Every refusal is an audit event. A route with a resource (a unit, an organisation) checks
``policy.allowed(principal, action, resource)`` itself, through ``require`` below.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Literal
from urllib.parse import quote

import anyio.to_thread
import yaml
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.routing import iter_route_contexts
from pydantic import BaseModel, ConfigDict
from sqlalchemy.orm import Session
from starlette.responses import Response

from tsbkart.stewardship import policy, tokens
from tsbkart.stewardship.audit import AuditEvent, append, record
from tsbkart.stewardship.roles import ANONYMOUS, Principal
from tsbkart.web.api.problems import problem_response
from tsbkart.web.stewardship.render import refused_page

Level = Literal["public", "public_form", "token", "sign_in", "signed_in", "action"]
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
FORM_TOKEN_FIELD = "form_token"
FORM_ISSUED_FIELD = "form_issued"
# A public form rendered this long ago (or less) may still be sent: the page cache keeps a public page until
# the day changes (web/operations/page_cache.py), plus time to fill it in. Anyone may fetch a fresh form, so
# a long life costs nothing; the token binds the form, Fetch Metadata and the rate limit do the rest.
PUBLIC_FORM_HOURS = 30


class _Table(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    public: list[str] = []
    public_form: list[str] = []
    token: list[str] = []
    sign_in: list[str] = []
    signed_in: list[str] = []
    actions: dict[str, list[str]] = {}


@dataclass(frozen=True, slots=True)
class Rule:
    level: Level
    action: str | None = None


@cache
def rule_table() -> dict[str, Rule]:
    """``{"GET /": Rule("public"), "GET /admin/logg": Rule("action", "audit.read"), ...}``"""
    text = (resources.files("tsbkart.web") / "access.yaml").read_text(encoding="utf-8")
    table = _Table.model_validate(yaml.safe_load(text))
    rules: dict[str, Rule] = {}
    for level in ("public", "public_form", "token", "sign_in", "signed_in"):
        for key in getattr(table, level):
            rules[key] = Rule(level)
    for action, keys in table.actions.items():
        if action not in policy.ACTIONS:
            raise ValueError(
                f"web/access.yaml names an action missing from stewardship/policy.yaml: {action}"
            )
        for key in keys:
            rules[key] = Rule("action", action)
    return rules


def route_keys(app: FastAPI) -> dict[int, list[str]]:
    """Every API route of ``app`` by ``id(route)``: ``["GET /enhet/{unit_id}", ...]`` with full paths."""
    keys: dict[int, list[str]] = {}
    for context in iter_route_contexts(app.routes):
        methods = context.methods
        if methods is None or type(context.original_route).__name__ != "APIRoute":
            continue
        keys.setdefault(id(context.original_route), []).extend(
            f"{method} {context.path}" for method in sorted(methods)
        )
    return keys


def check_every_route_has_a_rule(app: FastAPI) -> dict[int, list[str]]:
    keys = route_keys(app)
    missing = sorted(k for ks in keys.values() for k in ks if k not in rule_table())
    if missing:
        raise RuntimeError(f"routes without an access rule in web/access.yaml: {', '.join(missing)}")
    return keys


class SignInRequired(Exception):
    pass


class TokenRequired(Exception):
    """No API token, or one that is unknown, expired or revoked (401)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Refused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def principal_of(request: Request) -> Principal | None:
    principal: Principal | None = getattr(request.state, "principal", None)
    return principal


def client_address(request: Request) -> str | None:
    return request.client.host if request.client else None


async def audit_refusal(request: Request, reason: str, target: str | None = None) -> None:
    principal = principal_of(request)
    actor = principal.actor if principal else ANONYMOUS
    detail = {"reason": reason, "method": request.method, "route": _route_key(request) or request.url.path}
    event = AuditEvent(
        "permission_refused",
        actor,
        "refused",
        target or request.url.path[:300],
        client_address(request),
        detail,
    )
    await anyio.to_thread.run_sync(record, request.app.state.auth.engine, event)


def _route_key(request: Request) -> str | None:
    route = request.scope.get("route")
    keys: dict[int, list[str]] = request.app.state.route_keys
    for key in keys.get(id(route), []):
        if key.startswith(request.method + " "):
            return key
    return None


async def _submitted_csrf(request: Request) -> str | None:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


def _sign_in_binding(request: Request) -> str | None:
    runtime = request.app.state.auth
    cookie = request.cookies.get(runtime.sign_in_cookie)
    if not cookie:
        return None
    try:
        nonce: str = runtime.sign_in_serializer.loads(cookie, max_age=3600)
    except Exception:
        return None
    return "sign-in:" + nonce


async def check_csrf(request: Request) -> None:
    submitted = await _submitted_csrf(request)
    runtime = request.app.state.auth
    expected = getattr(request.state, "csrf_token", "")
    if expected:
        ok = submitted is not None and hmac.compare_digest(expected, submitted)
    else:
        binding = _sign_in_binding(request)
        ok = binding is not None and runtime.keys.csrf_ok(binding, submitted)
    if not ok:
        await audit_refusal(request, "csrf")
        raise Refused("csrf")


def _hour(moment: datetime) -> int:
    return int(moment.timestamp()) // 3600


def public_form_token(request: Request, path: str) -> tuple[str, str]:
    """(issued hour, token) for a public form posting to ``path``: the same for an hour, so pages cache."""
    issued = str(_hour(request.app.state.auth.now()))
    return issued, request.app.state.auth.keys.csrf_token(f"public-form:{path}:{issued}")


async def check_public_form(request: Request) -> None:
    """The form's own token (path + hour, HMAC), and never a cross-site submission (Fetch Metadata)."""
    runtime = request.app.state.auth
    ok = request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")
    form = await request.form() if ok else None
    if form is not None:
        issued, token = form.get(FORM_ISSUED_FIELD), form.get(FORM_TOKEN_FIELD)
        age = _hour(runtime.now()) - int(issued) if isinstance(issued, str) and issued.isdigit() else -1
        ok = (
            0 <= age <= PUBLIC_FORM_HOURS
            and isinstance(token, str)
            and runtime.keys.csrf_ok(f"public-form:{request.url.path}:{issued}", token)
        )
    if not ok:
        await audit_refusal(request, "csrf")
        raise Refused("csrf")


def _authenticate(request: Request, secret: str) -> tokens.Authenticated:
    runtime = request.app.state.auth
    with Session(runtime.engine, expire_on_commit=False) as session, session.begin():
        found = tokens.authenticate(session, secret, runtime.now())
        if found.token is not None and found.problem is not None:
            detail = {"reason": found.problem, "method": request.method, "route": _route_key(request) or ""}
            event = AuditEvent(
                "token_used",
                found.token.actor,
                "refused",
                request.url.path[:300],
                client_address(request),
                detail,
            )
            append(session, event, runtime.now())
        return found


async def check_api_token(request: Request) -> None:
    """A write API route: the bearer token must be a live API token (no session, so no CSRF token: the
    browser never sends this header by itself). The token goes on ``request.state.api_token``."""
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise TokenRequired("missing")
    found = await anyio.to_thread.run_sync(_authenticate, request, secret.strip())
    if found.token is None or found.problem is not None:
        raise TokenRequired(found.problem or "unknown")
    request.state.api_token = found.token


async def guard(request: Request) -> None:
    """The app-wide dependency: CSRF, sign-in and role checks from the route's rule."""
    key = _route_key(request)
    rule = rule_table().get(key or "")
    if rule is None:  # cannot happen after check_every_route_has_a_rule; refuse rather than allow
        raise Refused("no_rule")
    if rule.level == "token":
        await check_api_token(request)
        return
    if rule.level == "public_form":
        if request.method not in SAFE_METHODS:
            await check_public_form(request)
        return
    if request.method not in SAFE_METHODS and rule.level != "public":
        await check_csrf(request)
    if rule.level in ("public", "sign_in"):
        return
    principal = principal_of(request)
    if principal is None:
        raise SignInRequired
    if rule.action is not None and not policy.allowed(principal, rule.action):
        await audit_refusal(request, f"role:{rule.action}")
        raise Refused(rule.action)


async def require(request: Request, action: str, resource: policy.Resource, target: str) -> Principal:
    """For a route acting on one resource: the principal, or a refusal that is audited."""
    principal = principal_of(request)
    if principal is None:
        raise SignInRequired
    if not policy.allowed(principal, action, resource):
        await audit_refusal(request, f"resource:{action}", target)
        raise Refused(action)
    return principal


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    if _is_api(request):
        return problem_response(401, "sign-in required")
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/logg-inn?next={quote(target, safe='')}", status_code=303)


async def _token_required(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, TokenRequired)
    response = problem_response(
        401, f"a valid API token is required (Authorization: Bearer ...): {exc.reason}"
    )
    response.headers["WWW-Authenticate"] = 'Bearer realm="tsbkart", error="invalid_token"'
    return response


async def _refused(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Refused)
    if _is_api(request):
        return problem_response(403, "not allowed")
    return refused_page(request, exc.reason)


def install_access(app: FastAPI) -> None:
    app.state.route_keys = check_every_route_has_a_rule(app)
    app.add_exception_handler(SignInRequired, _sign_in_required)
    app.add_exception_handler(Refused, _refused)
    app.add_exception_handler(TokenRequired, _token_required)
