"""One set of error handlers for the whole app: problem+json under ``/api``, the HTML error page elsewhere.

Every error a user can cause is a ``tsbkart.domain.errors.UserError`` carrying its status (``FilterError``
422, ``NotFound`` 404, ``ApiProblem`` any), or one of the framework's: an unknown path (404), a wrong method
(405), a malformed request (FastAPI's validation error). A page answers ``error.html`` in the user's
language with the same status, never raw JSON and never pydantic's English text::

    GET /enhet/nope          -> 404, "Fant ikke siden" / "Ingen enhet har denne id-en."
    GET /finn?max_distance_km=-4 -> 422, "Største avstand (km): må være større enn 0"
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsbkart.domain.errors import UserError
from tsbkart.finder.search import FinderInputError
from tsbkart.query.filters import FilterError
from tsbkart.web.api.problems import http_problem, internal_problem, user_error_problem, validation_problem
from tsbkart.web.context import RequestContext, context_of, is_api
from tsbkart.web.i18n import catalogue
from tsbkart.web.templating import page

LOG = logging.getLogger(__name__)

# Page titles per status (English catalogue ids).
TITLES = {
    400: "The request could not be used",
    404: "Page not found",
    405: "This page cannot be used like that",
    422: "Some of what was entered could not be used",
    500: "Something went wrong on our side",
}
# What a page says for an HTTP error without a message of its own.
MESSAGES = {
    404: "There is no page at this address.",
    405: "This address does not accept that kind of request.",
    500: "The request was not processed. Please try again later.",
}
# Query and form fields by name (English catalogue ids), for messages that name the field.
FIELDS = {
    "service_type": "Service type",
    "target_group": "Target group",
    "legal_basis": "Legal basis",
    "intake_status": "Intake status",
    "owner_type": "Owner",
    "area": "Area",
    "open_24_7": "Open around the clock",
    "q": "Name or place",
    "match": "Only units that state the target group",
    "delivery_method": "Delivery method",
    "accessibility": "Physical accessibility",
    "near": "Near",
    "radius_km": "Radius (km)",
    "home_area": "Home municipality or city district",
    "age": "Age",
    "sex": "Sex",
    "substances": "Substances",
    "lar": "LAR (opioid agonist treatment)",
    "coercion": "Legal basis",
    "language": "Language",
    "max_distance_km": "Maximum distance (km)",
    "setting": "Setting",
    "public_only": "Public services only",
    "view": "View",
}
# pydantic's error types -> a translated problem (English catalogue ids, %-formatted with the error's ctx).
PROBLEMS = {
    "missing": "is required",
    "greater_than": "must be greater than %(gt)s",
    "greater_than_equal": "must be at least %(ge)s",
    "less_than": "must be less than %(lt)s",
    "less_than_equal": "must be at most %(le)s",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_parsing": "must be a number",
    "finite_number": "must be a number",
    "bool_parsing": "must be yes or no",
    "literal_error": "is not one of the choices",
    "enum": "is not one of the choices",
    "string_too_long": "is too long",
    "too_long": "has too many values",
}


def field_label(name: str, language: str) -> str:
    return catalogue(language).gettext(FIELDS[name]) if name in FIELDS else name


def validation_messages(errors: Sequence[Mapping[str, Any]], language: str) -> list[str]:
    """pydantic errors as "Field: problem" lines in ``language`` (the field is the deepest known name)."""
    text = catalogue(language).gettext
    lines = []
    for error in errors:
        names = [str(p) for p in error.get("loc", ()) if str(p) in FIELDS]
        field = field_label(names[-1], language) if names else text("The request")
        problem = PROBLEMS.get(str(error.get("type")), "is not valid")
        values = {k: str(v) for k, v in (error.get("ctx") or {}).items()}
        try:
            said = text(problem) % values
        except (KeyError, ValueError, TypeError):
            said = text("is not valid")
        lines.append(f"{field}: {said}")
    return list(dict.fromkeys(lines))


def user_error_message(exc: UserError, language: str) -> str:
    """A core error for a page: filters name their field, other messages are catalogue ids."""
    text = catalogue(language).gettext
    if isinstance(exc, FilterError | FinderInputError) and exc.parameter:
        problem = (
            text("unknown value(s) %(values)s") % {"values": ", ".join(f"«{v}»" for v in exc.values)}
            if exc.values
            else text("this value cannot be used")
        )
        return f"{field_label(exc.parameter, language)}: {problem}"
    return text(str(exc))


def error_page(
    ctx: RequestContext, status: int, messages: Sequence[str], headers: Mapping[str, str] | None = None
) -> Response:
    text = catalogue(ctx.language).gettext
    title = text(TITLES.get(status, TITLES[400] if status < 500 else TITLES[500]))
    shown = list(messages) or [text(MESSAGES.get(status, TITLES.get(status, "")))]
    response = page(ctx, "error.html", {"title": title, "messages": shown, "status": status}, status=status)
    response.headers.update(headers or {})
    return response


async def _user_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UserError)
    if is_api(request):
        return user_error_problem(exc)
    ctx = context_of(request)
    return error_page(ctx, exc.status, [user_error_message(exc, ctx.language)])


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if is_api(request):
        return http_problem(exc)
    # Starlette's own texts ("Not Found", "Method Not Allowed") are replaced by the page's messages.
    return error_page(context_of(request), exc.status_code, [], exc.headers)


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if is_api(request):
        return validation_problem(exc)
    ctx = context_of(request)
    return error_page(ctx, 422, validation_messages(exc.errors(), ctx.language))


async def _unexpected(request: Request, exc: Exception) -> Response:
    # A bug, not bad input: answer without leaking internals (Starlette logs the traceback).
    if is_api(request):
        return internal_problem()
    try:
        return error_page(context_of(request), 500, [])
    except Exception:  # the page itself failed: a plain answer, still without internals
        LOG.exception("error page failed")
        return Response(HTTPStatus(500).phrase, status_code=500, media_type="text/plain")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(UserError, _user_error)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(StarletteHTTPException, _http)
    app.add_exception_handler(Exception, _unexpected)
