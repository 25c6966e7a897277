"""Errors as RFC 9457 problem details (``application/problem+json``), one handler for all of them.

Route code raises ``ApiProblem`` (or lets a core ``UserError`` such as ``FilterError`` through); the handlers in
``tsbkart.web.errors`` turn those, FastAPI's validation errors and any HTTP error under ``/api`` into a body
like::

    {"type": "about:blank", "title": "Unprocessable Content", "status": 422,
     "detail": "service_type: unknown code(s) 'dogn'; valid codes: vurdering, akutt, ...",
     "errors": [{"parameter": "service_type", "message": "...", "valid": ["vurdering", "akutt", ...]}]}
"""

from __future__ import annotations

from collections.abc import Sequence
from http import HTTPStatus
from typing import Any

from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from tsbkart.domain.errors import UserError
from tsbkart.query.filters import FilterError

PROBLEM_JSON = "application/problem+json"


class ParameterError(BaseModel):
    parameter: str
    message: str
    valid: list[str] | None = None


class Problem(BaseModel):
    """The body of every 4xx answer from the API."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    errors: list[ParameterError] = []


class ApiProblem(UserError):
    """Raise in an API route to answer ``status`` with a problem body listing parameter ``errors``."""

    def __init__(self, status: int, detail: str, errors: Sequence[ParameterError] = ()) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {PROBLEM_JSON: {}}, "description": HTTPStatus(status).phrase}
    for status in (400, 404, 422)
}


def problem_response(status: int, detail: str, errors: Sequence[ParameterError] = ()) -> JSONResponse:
    body = Problem(title=HTTPStatus(status).phrase, status=status, detail=detail, errors=list(errors))
    return JSONResponse(body.model_dump(), status_code=status, media_type=PROBLEM_JSON)


def _location(loc: Sequence[Any]) -> str:
    """FastAPI's ``("query", "limit")`` -> ``"limit"``; body fields keep their path."""
    parts = [str(p) for p in loc if p not in ("query", "path", "header", "body", "cookie")]
    return ".".join(parts) or "request"


def validation_problem(exc: RequestValidationError) -> JSONResponse:
    errors = [
        ParameterError(parameter=_location(e.get("loc", ())), message=str(e.get("msg", "")))
        for e in exc.errors()
    ]
    detail = "; ".join(f"{e.parameter}: {e.message}" for e in errors) or "invalid request"
    return problem_response(422, detail, errors)


def user_error_problem(exc: UserError) -> JSONResponse:
    """A core error (or ``ApiProblem``) with its own status; a ``FilterError`` names its parameter."""
    if isinstance(exc, ApiProblem):
        return problem_response(exc.status, exc.detail, exc.errors)
    errors: list[ParameterError] = []
    if isinstance(exc, FilterError):
        errors = [ParameterError(parameter=exc.parameter, message=str(exc), valid=list(exc.valid) or None)]
    return problem_response(exc.status, str(exc), errors)


def http_problem(exc: StarletteHTTPException) -> JSONResponse:
    response = problem_response(exc.status_code, str(exc.detail))
    response.headers.update(exc.headers or {})
    return response


def internal_problem() -> JSONResponse:
    # A bug, not bad input: answer without leaking internals (the traceback goes to the server log).
    return problem_response(500, "internal error; the request was not processed")
