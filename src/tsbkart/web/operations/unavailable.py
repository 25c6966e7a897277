"""503 with ``Retry-After``, never 500, while the database is unreachable or the snapshot too stale.

Only connection-level failures count (``OperationalError``, ``InterfaceError``, a pool timeout): an
integrity or programming error is a bug and stays a 500. Pages answer the error page when they can render
it without the registry, else the same problem body as the API.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request, Response
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from tsbkart.web.api.problems import problem_response
from tsbkart.web.context import context_of, is_api
from tsbkart.web.errors import MESSAGES, error_page
from tsbkart.web.i18n import catalogue
from tsbkart.web.state import RegistryUnavailable

RETRY_AFTER_SECONDS = 5
LOG = logging.getLogger(__name__)


async def _unavailable(request: Request, exc: Exception) -> Response:
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    if not is_api(request):
        try:
            ctx = context_of(request)
            message = catalogue(ctx.language).gettext(MESSAGES[500])
            return error_page(ctx, 503, [message], headers)
        except Exception:  # the page needs the snapshot that is unavailable: answer as the API does
            LOG.debug("503 page could not be rendered", exc_info=True)
    detail = (
        "the registry could not be confirmed current; the database is unreachable"
        if isinstance(exc, RegistryUnavailable)
        else "the database is unreachable"
    )
    response = problem_response(503, f"{detail}; try again shortly")
    response.headers.update(headers)
    return response


def install_unavailable_handlers(app: FastAPI) -> None:
    for kind in (RegistryUnavailable, OperationalError, InterfaceError, PoolTimeout):
        app.add_exception_handler(kind, _unavailable)
