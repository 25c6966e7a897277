"""OpenID Connect sign-in routes: ``/logg-inn/oidc`` sends the browser to the provider, ``/logg-inn/oidc/svar``
takes the answer. The checks are ``tsbkart.stewardship.oidc``'s.

The provider's redirect back is a cross-site navigation, so the transaction cookie is SameSite=Lax, and the
session cookie (SameSite=Strict) is handed over on a small same-site page that moves on by itself.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from tsbkart.stewardship.oidc import OidcError, Transaction, account_for, failed
from tsbkart.stewardship.sessions import start_session
from tsbkart.web.i18n import catalogue
from tsbkart.web.stewardship.access import client_address
from tsbkart.web.stewardship.render import language, page
from tsbkart.web.stewardship.runtime import AuthRuntime
from tsbkart.web.stewardship.signin import safe_next

router = APIRouter(include_in_schema=False)
TRANSACTION_SECONDS = 600
MESSAGES = {
    "acr_too_low": "Your login does not have the assurance level this service requires.",
    "no_account": "No account here is linked to this login. Ask an administrator to create one.",
}
DEFAULT_MESSAGE = (
    "Signing in with the organisation's login did not succeed. Try again, or ask an administrator."
)


def _runtime(request: Request) -> AuthRuntime:
    runtime: AuthRuntime = request.app.state.auth
    return runtime


def _problem(request: Request, reason: str, status: int) -> Response:
    text = catalogue(language(request)).gettext
    context = {"title": text("Sign in"), "message": text(MESSAGES.get(reason, DEFAULT_MESSAGE))}
    response = page(request, "stewardship/refused.html", context, status)
    _runtime(request).clear_cookie(response, _runtime(request).oidc_cookie)
    return response


@router.get("/logg-inn/oidc")
def oidc_start(request: Request, next: str | None = None) -> Response:
    runtime = _runtime(request)
    if runtime.oidc is None:
        return _problem(request, "not_configured", 404)
    try:
        url, transaction = runtime.oidc.begin(safe_next(next))
    except OidcError as error:
        return _problem(request, error.reason, 502)
    response = RedirectResponse(url, status_code=303)
    value = runtime.keys.serializer("oidc").dumps(transaction.as_dict())
    runtime.set_cookie(response, runtime.oidc_cookie, value, max_age=TRANSACTION_SECONDS, lax=True)
    return response


def _transaction(request: Request) -> Transaction | None:
    runtime = _runtime(request)
    cookie = request.cookies.get(runtime.oidc_cookie)
    try:
        data = runtime.keys.serializer("oidc").loads(cookie or "", max_age=TRANSACTION_SECONDS)
        return Transaction(data["state"], data["nonce"], data["verifier"], data["next"])
    except Exception:  # missing, expired or forged: the same answer
        return None


@router.get("/logg-inn/oidc/svar")
def oidc_answer(request: Request) -> Response:
    runtime = _runtime(request)
    transaction = _transaction(request)
    now, source = runtime.now(), client_address(request)
    if runtime.oidc is None:
        return _problem(request, "not_configured", 404)
    issuer = runtime.oidc.config.issuer
    query = {k: v for k, v in request.query_params.items() if k in ("code", "state", "error")}
    with Session(runtime.engine, expire_on_commit=False) as session, session.begin():
        if transaction is None:
            failed(session, "no_transaction", issuer, now=now, source=source)
            return _problem(request, "no_transaction", 400)
        try:
            claims = runtime.oidc.finish(query, transaction, now)
        except OidcError as error:
            failed(session, error.reason, issuer, now=now, source=source)
            return _problem(request, error.reason, 401)
        user = account_for(session, issuer, claims, now=now, source=source)
        if user is None:
            return _problem(request, "no_account", 403)
        token = start_session(
            session,
            user,
            method="oidc",
            policy=runtime.sessions,
            now=now,
            source=source,
            language=language(request),
        )
    text = catalogue(language(request)).gettext
    context = {"title": text("Signed in"), "next_url": safe_next(transaction.next)}
    response = page(request, "stewardship/continue.html", context)
    runtime.set_session_cookie(response, token)
    runtime.clear_cookie(response, runtime.oidc_cookie)
    return response
