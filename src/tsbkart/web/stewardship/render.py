"""Rendering of the sign-in and administration pages: never cached, in the visitor's language."""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from tsbkart.web.context import context_of
from tsbkart.web.i18n import catalogue
from tsbkart.web.templating import page as render_page

NO_STORE = "private, no-store"


def language(request: Request) -> str:
    return context_of(request).language


def page(request: Request, template: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    response = render_page(context_of(request), template, context, status)
    response.headers["Cache-Control"] = NO_STORE
    return response


def refused_page(request: Request, reason: str) -> HTMLResponse:
    text = catalogue(language(request)).gettext
    message = (
        text("The form had expired or did not come from this site. Go back, reload the page and try again.")
        if reason == "csrf"
        else text("Your account does not give access to this page or action.")
    )
    return page(request, "stewardship/refused.html", {"title": text("No access"), "message": message}, 403)
