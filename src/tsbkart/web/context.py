"""The one request context every route and error handler reads::

    RequestContext(language="nb", today=date(2026, 12, 1), snapshot=<RegistrySnapshot rev 12>,
                   format="html", url=URL("/omrade/hf/unn?lang=nb"), params={"lang": ["nb"]},
                   remember_language=True, actor=None)

- ``language``: ``?lang=`` (then remembered in a cookie when it is a change), else the ``lang`` cookie, else
  ``settings.default_language``; Accept-Language is never read (see ``web.i18n.negotiate``).
- ``today``: the date in Norway (``tsbkart.domain.calendar.today``), one value for the whole request.
- ``snapshot``: the current read model, taken once, so every part of one answer sees the same revision.
- ``format``: what the answer is rendered as: ``?format=`` or the path's suffix (``.csv``, ``.pdf``, ...),
  else ``json`` under ``/api`` and ``html`` elsewhere.
- ``actor``: who is signed in: a ``tsbkart.stewardship.roles.Principal`` (its ``.actor`` is the typed
  reference revisions name), or None for anonymous visitors; ``csrf_token``: the token bound to their session
  (empty for anonymous visitors). Both come from ``web.stewardship.runtime.SessionMiddleware``.

Routes take it as a dependency (``ctx: Ctx``); FastAPI builds it once per request and
:func:`context_of` returns the same object to error handlers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import URL

from tsbkart.domain.calendar import today
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.stewardship.roles import Principal
from tsbkart.web.i18n import LANGUAGES, negotiate
from tsbkart.web.state import AppState

LANG_COOKIE = "lang"
API_PREFIXES = ("/api/", "/openapi.json")
FORMATS = ("html", "json", "csv", "xlsx", "pdf", "geojson")


@dataclass(frozen=True, slots=True)
class RequestContext:
    language: str
    today: date
    snapshot: RegistrySnapshot
    format: str
    url: URL
    params: Mapping[str, Sequence[str]]  # the query string: name -> every value given
    remember_language: (
        bool  # ?lang= chose a language the cookie does not hold yet: the answer sets the cookie
    )
    actor: Principal | None = None  # the signed-in user (stewardship session), None when anonymous
    csrf_token: str = ""  # bound to the session; every form that changes something carries it


def is_api(request: Request) -> bool:
    """API paths answer problem+json; every other path is a page and answers HTML."""
    return request.url.path.startswith(API_PREFIXES)


def language_of(request: Request) -> str:
    state: AppState = request.app.state.tsbkart
    query = request.query_params.get("lang")
    return negotiate(query, request.cookies.get(LANG_COOKIE), default=state.settings.default_language)


def switched_language(request: Request) -> str | None:
    """The language ``?lang=`` switches to: a known one the ``lang`` cookie does not already hold, else None.

    This is the page header's language switch. A signed-in user's account follows it
    (``web.stewardship.runtime.SessionMiddleware``), so their e-mail comes in the language they chose."""
    query = request.query_params.get("lang")
    return query if query in LANGUAGES and query != request.cookies.get(LANG_COOKIE) else None


def remembers_language(request: Request) -> bool:
    """``?lang=`` names a language the ``lang`` cookie does not already hold: the answer sets the cookie.

    Only a change is sent, so a page asked for with the language it is already in carries no ``Set-Cookie``
    and stays cacheable (``web/operations/page_cache.py``)."""
    return switched_language(request) is not None


def format_of(request: Request) -> str:
    requested = request.query_params.get("format")
    if requested in FORMATS:
        return requested
    last = request.url.path.rsplit("/", 1)[-1]
    suffix = last.rpartition(".")[2] if "." in last else ""
    if suffix in FORMATS:
        return suffix
    return "json" if is_api(request) else "html"


def context_of(request: Request) -> RequestContext:
    """The request's context, built on first use and kept on ``request.state``."""
    existing = getattr(request.state, "context", None)
    if isinstance(existing, RequestContext):
        return existing
    state: AppState = request.app.state.tsbkart
    context = RequestContext(
        language=language_of(request),
        today=today(),
        snapshot=state.snapshot(),
        format=format_of(request),
        url=request.url,
        params={key: request.query_params.getlist(key) for key in request.query_params},
        remember_language=remembers_language(request),
        actor=getattr(request.state, "principal", None),
        csrf_token=getattr(request.state, "csrf_token", ""),
    )
    request.state.context = context
    return context


async def request_context(request: Request) -> RequestContext:
    """FastAPI dependency (async: it only reads memory, so no hop to a worker thread)."""
    return context_of(request)


Ctx = Annotated[RequestContext, Depends(request_context)]
