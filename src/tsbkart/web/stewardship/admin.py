"""The administrator's audit page ``/admin/logg``: events newest first, filtered by who, what and when."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from tsbkart.stewardship.audit import ACTIONS, AuditFilter, search
from tsbkart.web.i18n import catalogue
from tsbkart.web.stewardship.render import language, page

router = APIRouter(include_in_schema=False)
FILTER_FIELDS = ("actor", "action", "outcome", "from", "to")
OUTCOMES = ("ok", "failed", "refused")


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def parse_filter(params: dict[str, str]) -> AuditFilter:
    """The page's query as an AuditFilter; ValueError names the field that is wrong."""
    action = params.get("action") or None
    if action is not None and action not in ACTIONS:
        raise ValueError("action")
    outcome = params.get("outcome") or None
    if outcome is not None and outcome not in OUTCOMES:
        raise ValueError("outcome")
    try:
        start, end = _date(params.get("from")), _date(params.get("to"))
    except ValueError:
        raise ValueError("from/to") from None
    return AuditFilter((params.get("actor") or "").strip()[:200] or None, action, outcome, start, end)


@router.get("/admin/logg")
def audit_page(request: Request) -> Response:
    text = catalogue(language(request)).gettext
    params = {k: request.query_params.get(k, "") for k in FILTER_FIELDS}
    error, status = None, 200
    try:
        filters = parse_filter(params)
    except ValueError as problem:
        error, status = text("This filter value is not valid:") + f" {problem}", 400
        filters = AuditFilter()
    side = request.query_params.get("side", "1")
    result = search(
        request.app.state.auth.engine, filters, int(side) if side.isdigit() and len(side) < 7 else 1
    )
    pairs = [(k, v) for k, v in params.items() if v]
    context = {
        "title": text("Audit log"),
        "result": result,
        "params": params,
        "actions": ACTIONS,
        "outcomes": OUTCOMES,
        "error": error,
        "page_url": lambda n: "/admin/logg?" + urlencode([*pairs, ("side", str(n))]),
    }
    return page(request, "stewardship/audit.html", context, status)
