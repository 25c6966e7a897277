"""The administrator's account page ``/admin/brukere``: list accounts, create a steward or reviewer, grant and
revoke organisations and areas, disable and enable. Thin: ``tsbkart.stewardship.accounts`` checks and audits.

An account is created with an initial password the administrator types (the same NIST rules as
``tsbkart user add``) and hands over, or without one for OpenID Connect sign-in (linked on the first sign-in
whose verified e-mail matches). Every answer to a change is a redirect to the page with a short message code
(``?ok=created&bruker=kari``), so reloading never repeats a change.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from tsbkart.domain.messages import Message
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.stewardship import accounts
from tsbkart.stewardship.passwords import PasswordRejected
from tsbkart.stewardship.roles import ROLE_SCOPES, ROLES, Grant, Principal
from tsbkart.web.context import context_of
from tsbkart.web.i18n import catalogue
from tsbkart.web.stewardship.access import client_address, principal_of
from tsbkart.web.stewardship.render import language, page
from tsbkart.web.stewardship.runtime import AuthRuntime

router = APIRouter(include_in_schema=False)
PATH = "/admin/brukere"
MAX_FIELD = 1024
# What a successful change says (``?ok=``), as message ids.
DONE = {
    "created": "The account {user} was created.",
    "granted": "{user} was given the access.",
    "revoked": "The access was taken from {user}.",
    "disabled": "{user} was disabled; their sessions ended.",
    "enabled": "{user} can sign in again.",
}


@dataclass(frozen=True, slots=True)
class ScopeOption:
    value: str  # "organisation:org-a", "region:helse-nord", "catchment:unn", "national:"
    label: str


def scope_options(snapshot: RegistrySnapshot) -> dict[str, list[ScopeOption]]:
    """Per scope kind the choices the grant form offers: every organisation, region and catchment area."""
    geography = snapshot.geography
    return {
        "organisation": [
            ScopeOption(f"organisation:{o.id}", f"{o.name} ({o.id})")
            for o in sorted(snapshot.organisations.values(), key=lambda o: o.name)
        ],
        "region": [
            ScopeOption(f"region:{r.code}", r.name)
            for r in sorted(geography.regions.values(), key=lambda r: r.name)
        ],
        "catchment": [
            ScopeOption(f"catchment:{c.code}", f"{c.short_name} – {c.name}")
            for c in sorted(geography.catchments.values(), key=lambda c: c.short_name)
        ],
    }


def scope_names(snapshot: RegistrySnapshot) -> dict[tuple[str, str], str]:
    """(scope kind, code) -> the name shown for a grant."""
    names = {("national", ""): ""}
    for options in scope_options(snapshot).values():
        for option in options:
            kind, code = option.value.split(":", 1)
            names[(kind, code)] = option.label
    return names


def parse_scope(role: str, scope: str) -> Grant:
    """A grant from the form's role and ``kind:code`` scope (an administrator's is national)."""
    kind, _, code = scope.partition(":")
    if role == "administrator":
        kind, code = "national", ""
    elif role in ROLE_SCOPES and kind not in ROLE_SCOPES[role]:
        raise accounts.AccountError(
            Message("A steward is given an organisation; a reviewer a region or a catchment area.")
        )
    return accounts.parse_grant(role, kind or None, code or None)


def _runtime(request: Request) -> AuthRuntime:
    runtime: AuthRuntime = request.app.state.auth
    return runtime


RoleField = Annotated[str, Form(max_length=40)]
ScopeField = Annotated[str, Form(max_length=300)]


def _done(kind: str, username: str) -> Response:
    return RedirectResponse(f"{PATH}?{urlencode({'ok': kind, 'bruker': username})}", status_code=303)


def _error_text(error: Exception, gettext: Any) -> str:
    if isinstance(error, accounts.AccountError):
        return error.text.translate(gettext)
    return str(gettext(str(error)))


def users_page(
    request: Request, *, error: str | None = None, form: dict[str, str] | None = None, status: int = 200
) -> Response:
    text = catalogue(language(request)).gettext
    snapshot = context_of(request).snapshot
    with Session(_runtime(request).engine) as session:
        users = accounts.list_users(session)
    done = request.query_params.get("ok", "")
    who = request.query_params.get("bruker", "")[:200]
    context = {
        "title": text("Accounts"),
        "users": users,
        "roles": ROLES,
        "role_scopes": ROLE_SCOPES,
        "scopes": scope_options(snapshot),
        "scope_names": scope_names(snapshot),
        "message": Message(DONE[done], user=who).translate(text) if done in DONE else None,
        "error": error,
        "form": form or {},
        "me": principal_of(request),
    }
    return page(request, "stewardship/users.html", context, status)


@router.get(PATH)
def list_accounts(request: Request) -> Response:
    return users_page(request)


@contextmanager
def _change(request: Request) -> Iterator[Session]:
    with Session(_runtime(request).engine, expire_on_commit=False) as session, session.begin():
        yield session


def _me(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # the guard let only administrators in
    return principal


@router.post(PATH)
def create_account(
    request: Request,
    username: Annotated[str, Form(max_length=200)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    role: RoleField = "steward",
    scope: ScopeField = "",
) -> Response:
    """A new account with its first role; without a password it signs in through OpenID Connect only."""
    text = catalogue(language(request)).gettext
    now, me = _runtime(request).now(), _me(request)
    try:
        grant = parse_scope(role, scope)
        with _change(request) as session:
            user = accounts.create_user(
                session,
                username,
                display_name,
                by=me.actor,
                now=now,
                email=email or None,
                password=password or None,
                source=client_address(request),
            )
            accounts.grant_role(session, user.username, grant, by=me.actor, now=now)
    except (accounts.AccountError, PasswordRejected) as error:
        form = {
            "username": username,
            "display_name": display_name,
            "email": email,
            "role": role,
            "scope": scope,
        }
        return users_page(request, error=_error_text(error, text), form=form, status=422)
    return _done("created", user.username)


def _change_access(request: Request, username: str, role: str, scope: str, *, revoke: bool) -> Response:
    """Grant or revoke one role (``role`` with its ``scope`` as the form gives it); an administrator cannot
    take the administrator role from themselves."""
    text = catalogue(language(request)).gettext
    me = _me(request)
    try:
        grant = parse_scope(role, scope)
        if revoke and username == me.username and grant.role == "administrator":
            raise accounts.AccountError(Message("You cannot take the administrator role from yourself."))
        change = accounts.revoke_role if revoke else accounts.grant_role
        with _change(request) as session:
            change(session, username, grant, by=me.actor, now=_runtime(request).now())
    except accounts.AccountError as error:
        return users_page(request, error=_error_text(error, text), status=422)
    return _done("revoked" if revoke else "granted", username)


@router.post(PATH + "/{username}/tilgang")
def grant_access(request: Request, username: str, role: RoleField = "", scope: ScopeField = "") -> Response:
    return _change_access(request, username, role, scope, revoke=False)


@router.post(PATH + "/{username}/fjern-tilgang")
def revoke_access(request: Request, username: str, role: RoleField = "", scope: ScopeField = "") -> Response:
    return _change_access(request, username, role, scope, revoke=True)


@router.post(PATH + "/{username}/deaktiver")
def disable_account(request: Request, username: str) -> Response:
    text = catalogue(language(request)).gettext
    me = _me(request)
    try:
        if username == me.username:
            raise accounts.AccountError(Message("You cannot disable your own account."))
        with _change(request) as session:
            accounts.disable_user(
                session, username, by=me.actor, now=_runtime(request).now(), source=client_address(request)
            )
    except accounts.AccountError as error:
        return users_page(request, error=_error_text(error, text), status=422)
    return _done("disabled", username)


@router.post(PATH + "/{username}/aktiver")
def enable_account(request: Request, username: str) -> Response:
    text = catalogue(language(request)).gettext
    try:
        with _change(request) as session:
            accounts.enable_user(session, username, by=_me(request).actor, now=_runtime(request).now())
    except accounts.AccountError as error:
        return users_page(request, error=_error_text(error, text), status=422)
    return _done("enabled", username)
