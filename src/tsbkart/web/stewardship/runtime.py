"""Per-app sign-in machinery: keys, policies, cookie names, and the middleware that finds the signed-in user.

``SessionMiddleware`` reads the session cookie (if any), resolves it in a worker thread and leaves on the
request's state: ``principal`` (a ``Principal`` or None), ``session_id``, ``pending_session_id`` (a session
waiting for its second factor) and ``csrf_token`` (bound to the session). A visitor without the cookie costs
nothing and gets no cookie; a response to a request that carried one is marked ``private, no-store``.

A page asked for with the language switch (``GET ...?lang=en`` when the ``lang`` cookie is not ``en``:
``web.context.switched_language``) changes a signed-in account's language in the same transaction that
resolves the session (``stewardship.sessions.resolve``); nothing is written when the account has it already.
This write on a GET is safe from other sites: the session cookie is ``SameSite=Strict``, so a link from
elsewhere arrives without it, as an anonymous visitor.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http.cookies import SimpleCookie

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tsbkart.settings import Settings
from tsbkart.stewardship.accounts import LockoutPolicy
from tsbkart.stewardship.keys import Keys, unsign
from tsbkart.stewardship.oidc import OidcClient, OidcConfig
from tsbkart.stewardship.sessions import Resolved, SessionPolicy, resolve
from tsbkart.web.context import is_api, switched_language
from tsbkart.web.stewardship.access import client_address

SIGN_IN_MAX_AGE = 3600


class AuthRuntime:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self.keys = Keys.from_settings(settings)
        self.signer = self.keys.cookie_signer()
        self.sign_in_serializer = self.keys.serializer("sign-in")
        self.sessions = SessionPolicy(
            idle=timedelta(minutes=settings.session_idle_minutes),
            absolute=timedelta(hours=settings.session_absolute_hours),
        )
        self.lockout = LockoutPolicy(
            settings.lockout_threshold, settings.lockout_seconds, settings.lockout_max_seconds
        )
        # __Host- cookies must be Secure, so the prefix is used only behind TLS.
        prefix = "__Host-" if settings.behind_tls else ""
        self.session_cookie = f"{prefix}tsbkart_session"
        self.sign_in_cookie = f"{prefix}tsbkart_signin"
        self.oidc_cookie = f"{prefix}tsbkart_oidc"
        config = OidcConfig.from_settings(settings)
        self.oidc = OidcClient(config) if config is not None else None

    def now(self) -> datetime:
        return datetime.now(UTC)

    def resolve(self, token: str, language: str | None = None, source: str | None = None) -> Resolved | None:
        """``language``: the language the request switches the pages to (kept on the account), or None."""
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            return resolve(
                session, token, policy=self.sessions, now=self.now(), language=language, source=source
            )

    def set_cookie(
        self, response: Response, name: str, value: str, *, max_age: int | None = None, lax: bool = False
    ) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            secure=self.settings.behind_tls,
            httponly=True,
            # Lax only for the OpenID Connect transaction, which must survive the provider's redirect back.
            samesite="lax" if lax else "strict",
        )

    def set_session_cookie(self, response: Response, token: str) -> None:
        self.set_cookie(response, self.session_cookie, self.signer.sign(token).decode())

    def clear_cookie(self, response: Response, name: str) -> None:
        response.delete_cookie(
            name, path="/", secure=self.settings.behind_tls, httponly=True, samesite="strict"
        )

    def session_token(self, cookie: str | None) -> str | None:
        return unsign(self.signer, cookie) if cookie else None


def _cookies(scope: Scope) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed Cookie header is treated as no cookie
                return {}
    return {key: morsel.value for key, morsel in jar.items()}


class SessionMiddleware:
    def __init__(self, app: ASGIApp, runtime: AuthRuntime) -> None:
        self.app = app
        self.runtime = runtime

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        state.update(principal=None, session_id=None, pending_session_id=None, csrf_token="")
        cookie = _cookies(scope).get(self.runtime.session_cookie)
        if cookie is None:
            await self.app(scope, receive, send)
            return
        token = self.runtime.session_token(cookie)
        request = Request(scope)
        # Only a page's GET is the header's switch (an API call's ?lang= asks for one answer's language).
        switch = switched_language(request) if scope["method"] == "GET" and not is_api(request) else None
        resolved = (
            await anyio.to_thread.run_sync(self.runtime.resolve, token, switch, client_address(request))
            if token
            else None
        )
        if resolved is not None and token is not None:
            state["csrf_token"] = self.runtime.keys.csrf_token(token)
            if resolved.principal is not None:
                state.update(principal=resolved.principal, session_id=resolved.session_id)
            else:
                state["pending_session_id"] = resolved.session_id
        stale = resolved is None
        clear = Response()
        self.runtime.clear_cookie(clear, self.runtime.session_cookie)
        expired_cookie = clear.headers["set-cookie"]

        async def private_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                # A page with someone's name on it must never be kept by a shared cache.
                headers["Cache-Control"] = "private, no-store"
                if stale and not any(
                    v.startswith(self.runtime.session_cookie + "=") for v in headers.getlist("set-cookie")
                ):
                    headers.append("set-cookie", expired_cookie)
            await send(message)

        await self.app(scope, receive, private_send)
