"""Sign-in and sign-out pages: ``/logg-inn`` (username and password), ``/logg-inn/kode`` (TOTP), ``/logg-ut``.

Thin: the checks, sessions and audit events are ``tsbkart.stewardship``'s; this module only moves form values
and cookies. After a password sign-in the session cookie is set on a same-site redirect (SameSite=Strict).
"""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from tsbkart.db.stewardship import SessionRow, UserRow
from tsbkart.stewardship.accounts import password_sign_in
from tsbkart.stewardship.audit import AuditEvent, append
from tsbkart.stewardship.roles import ActorRef
from tsbkart.stewardship.sessions import complete_second_factor, end_session, start_session
from tsbkart.stewardship.totp import check_code
from tsbkart.web.i18n import catalogue
from tsbkart.web.stewardship.access import client_address, principal_of
from tsbkart.web.stewardship.render import language, page
from tsbkart.web.stewardship.runtime import SIGN_IN_MAX_AGE, AuthRuntime

router = APIRouter(include_in_schema=False)
# Longer inputs are refused before hashing, so a huge "password" cannot tie up a worker.
MAX_FIELD = 1024


def safe_next(target: str | None) -> str:
    """Only a path on this site: never ``//host`` or ``https://...`` (no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target[:2000]


def _runtime(request: Request) -> AuthRuntime:
    runtime: AuthRuntime = request.app.state.auth
    return runtime


def _sign_in_nonce(request: Request) -> str | None:
    runtime = _runtime(request)
    cookie = request.cookies.get(runtime.sign_in_cookie)
    if not cookie:
        return None
    try:
        nonce: str = runtime.sign_in_serializer.loads(cookie, max_age=SIGN_IN_MAX_AGE)
    except Exception:
        return None
    return nonce


def _form(
    request: Request, next_url: str, error: str | None = None, username: str = "", status: int = 200
) -> Response:
    runtime = _runtime(request)
    nonce = _sign_in_nonce(request) or secrets.token_urlsafe(16)
    text = catalogue(language(request)).gettext
    context = {
        "title": text("Sign in"),
        "form_token": runtime.keys.csrf_token("sign-in:" + nonce),
        "next_url": next_url,
        "error": error,
        "username": username,
        "oidc": runtime.settings.oidc_issuer is not None,
    }
    response = page(request, "stewardship/sign_in.html", context, status)
    runtime.set_cookie(
        response, runtime.sign_in_cookie, runtime.sign_in_serializer.dumps(nonce), max_age=SIGN_IN_MAX_AGE
    )
    return response


@router.get("/logg-inn")
def sign_in_page(request: Request, next: str | None = None) -> Response:
    if principal_of(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return _form(request, safe_next(next))


def _after_sign_in(request: Request, token: str, target: str) -> Response:
    runtime = _runtime(request)
    response = RedirectResponse(target, status_code=303)
    runtime.set_session_cookie(response, token)
    runtime.clear_cookie(response, runtime.sign_in_cookie)
    return response


@router.post("/logg-inn")
def sign_in(
    request: Request,
    username: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    password: Annotated[str, Form(max_length=MAX_FIELD)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    runtime = _runtime(request)
    text = catalogue(language(request)).gettext
    target, now, source = safe_next(next), runtime.now(), client_address(request)
    with Session(runtime.engine, expire_on_commit=False) as session, session.begin():
        result = password_sign_in(session, username, password, policy=runtime.lockout, now=now, source=source)
        if result.outcome == "locked":
            error, status = text("Too many failed attempts. Wait a few minutes and try again."), 429
        elif result.outcome != "ok" or result.user is None:
            error, status = text("Wrong username or password."), 401
        else:
            second = result.user.totp_secret is not None
            token = start_session(
                session,
                result.user,
                method="password",
                policy=runtime.sessions,
                now=now,
                source=source,
                second_factor=second,
                language=language(request),
            )
            return _after_sign_in(request, token, f"/logg-inn/kode?next={target}" if second else target)
    return _form(request, target, error, username.strip()[:200], status)


@router.get("/logg-inn/kode")
def second_factor_page(request: Request, next: str | None = None) -> Response:
    if getattr(request.state, "pending_session_id", None) is None:
        return RedirectResponse("/logg-inn", status_code=303)
    text = catalogue(language(request)).gettext
    context = {"title": text("Code from your authenticator app"), "next_url": safe_next(next), "error": None}
    return page(request, "stewardship/second_factor.html", context)


@router.post("/logg-inn/kode")
def second_factor(
    request: Request,
    code: Annotated[str, Form(max_length=20)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    runtime = _runtime(request)
    pending = getattr(request.state, "pending_session_id", None)
    if pending is None:
        return RedirectResponse("/logg-inn", status_code=303)
    text = catalogue(language(request)).gettext
    now, source = runtime.now(), client_address(request)
    with Session(runtime.engine, expire_on_commit=False) as session, session.begin():
        row = session.get(SessionRow, pending)
        user = session.get(UserRow, row.user_id) if row else None
        assert user is not None
        if check_code(user, runtime.keys, code, now):
            user.failed_sign_ins = 0
            token = complete_second_factor(session, pending, policy=runtime.sessions, now=now, source=source)
            return _after_sign_in(request, token, safe_next(next))
        user.failed_sign_ins += 1
        lock = runtime.lockout.lock_for(user.failed_sign_ins)
        detail: dict[str, str | int] = {
            "reason": "second_factor",
            "method": "totp",
            "failures": user.failed_sign_ins,
        }
        actor = ActorRef("user", str(user.id), user.display_name)
        append(
            session,
            AuditEvent("sign_in_failed", actor, "failed", f"user:{user.username}", source, detail),
            now,
        )
        if lock is not None and row is not None:
            user.locked_until = now + lock
            row.revoked_at = now
    if lock is not None:
        return RedirectResponse("/logg-inn", status_code=303)
    context = {
        "title": text("Code from your authenticator app"),
        "next_url": safe_next(next),
        "error": text("The code was wrong or too old. Try the newest code."),
    }
    return page(request, "stewardship/second_factor.html", context, 401)


@router.post("/logg-ut")
def sign_out(request: Request) -> Response:
    runtime = _runtime(request)
    session_id = getattr(request.state, "session_id", None)
    if session_id is not None:
        with Session(runtime.engine) as session, session.begin():
            end_session(session, session_id, now=runtime.now(), source=client_address(request))
    response = RedirectResponse("/", status_code=303)
    runtime.clear_cookie(response, runtime.session_cookie)
    return response
