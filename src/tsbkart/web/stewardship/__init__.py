"""Web side of stewardship: sign-in, sessions and CSRF, access rules for every route, the audit page.

``install(app, settings, engine)`` is called by the app factory after every router is included.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine

from tsbkart.settings import Settings
from tsbkart.web.stewardship import admin, editing, oidc, reports, review, signin, tokens, users
from tsbkart.web.stewardship.access import install_access
from tsbkart.web.stewardship.runtime import AuthRuntime, SessionMiddleware

ROUTERS = (
    signin.router,
    oidc.router,
    admin.router,
    users.router,
    review.router,
    editing.router,
    reports.router,
    tokens.router,
)


def install(app: FastAPI, settings: Settings, engine: Engine) -> None:
    runtime = AuthRuntime(settings, engine)
    app.state.auth = runtime
    app.add_middleware(SessionMiddleware, runtime=runtime)
    install_access(app)
