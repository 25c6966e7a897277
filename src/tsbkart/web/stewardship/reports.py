"""Error reports from the public: the form behind "Meld feil" on every unit page, the reporter's status page
``/meldinger/{reference}``, and the list (with answer and dismiss forms, CSV/XLSX export) for the stewards and
reviewers who handle them, ``/forvalt/meldinger``.

Thin: ``tsbkart.stewardship.reports`` files, routes and answers reports. The public form sets no cookie: its
token is bound to the form (``access.public_form_token``); a honeypot field catches simple bots, and the
rate limit ``error_report`` (per client address) the rest. Once a report is committed and the reporter has
been answered, a background task e-mails its notice to the stewards and reviewers it is routed to
(``stewardship.notices``): a slow or failing SMTP server never delays or fails the POST.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any
from urllib.parse import quote

import anyio.to_thread
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.background import BackgroundTask
from starlette.responses import Response

from tsbkart.domain.errors import NotFound
from tsbkart.domain.messages import Message
from tsbkart.exchange.spreadsheet import Cell, csv_text, xlsx_bytes
from tsbkart.stewardship import notices, reports
from tsbkart.stewardship.reminders import smtp_sender
from tsbkart.stewardship.reports import Report, ReportInvalid
from tsbkart.web.context import context_of
from tsbkart.web.i18n import catalogue
from tsbkart.web.stewardship.access import client_address, principal_of, public_form_token, require
from tsbkart.web.stewardship.render import language, page
from tsbkart.web.stewardship.runtime import AuthRuntime
from tsbkart.web.templating import page as public_page

router = APIRouter(include_in_schema=False)
log = logging.getLogger(__name__)
# The honeypot: a field people never see (hidden by CSS and from assistive technology) but bots fill in.
HONEYPOT = "website"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_COLUMNS = (
    "reference",
    "status",
    "record_kind",
    "record_id",
    "record_name",
    "organisation_id",
    "filed_at",
    "text",
    "contact",
    "answer",
    "change_set_id",
    "handled_at",
    "handled_by",
)


def _form_path(unit_id: str) -> str:
    return f"/enhet/{quote(unit_id, safe='')}/meld-feil"


def _form(
    request: Request,
    unit_id: str,
    *,
    error: str | None = None,
    text: str = "",
    contact: str = "",
    status: int = 200,
) -> Response:
    ctx = context_of(request)
    unit = ctx.snapshot.units.get(unit_id)
    if unit is None:
        raise NotFound("No unit has this id.")
    path = _form_path(unit_id)
    # Bound to the path as the server sees it on the POST (percent-decoded).
    issued, token = public_form_token(request, f"/enhet/{unit_id}/meld-feil")
    gettext = catalogue(ctx.language).gettext
    context = {
        "title": gettext("Report an error"),
        "unit": unit,
        "action": path,
        "form_issued": issued,
        "form_token": token,
        "error": error,
        "text": text,
        "contact": contact,
        "max_text": reports.MAX_TEXT,
        "max_contact": reports.MAX_CONTACT,
    }
    return public_page(ctx, "reports/form.html", context, status)


@router.get("/enhet/{unit_id}/meld-feil")
def report_form(request: Request, unit_id: str) -> Response:
    return _form(request, unit_id)


@router.post("/enhet/{unit_id}/meld-feil")
async def file_report(
    request: Request,
    unit_id: str,
    text: Annotated[str, Form(max_length=reports.MAX_TEXT * 2)] = "",
    contact: Annotated[str, Form(max_length=reports.MAX_CONTACT * 2)] = "",
    website: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    ctx = context_of(request)
    gettext = catalogue(ctx.language).gettext
    if website:
        # Filled in by a bot: nothing is stored; a person who somehow filled it can send again.
        return _form(request, unit_id, error=gettext("The form could not be sent."), status=422)
    runtime = request.app.state.auth
    try:
        report = await anyio.to_thread.run_sync(
            lambda: reports.file_report(
                runtime.engine,
                ctx.snapshot,
                "unit",
                unit_id,
                text,
                contact or None,
                ctx.language,
                now=runtime.now(),
                source=client_address(request),
            )
        )
    except ReportInvalid as problem:
        message = problem.text.translate(gettext)
        return _form(request, unit_id, error=message, text=text, contact=contact, status=422)
    suffix = "" if ctx.language == "nb" else f"&lang={ctx.language}"
    return RedirectResponse(
        f"/meldinger/{report.reference}?ny=1{suffix}",
        status_code=303,
        background=BackgroundTask(send_notice, runtime, report.reference),
    )


def send_notice(runtime: AuthRuntime, reference: str) -> None:
    """E-mail the new report's notice (run after the response, in a worker thread). A failed send is logged
    and audited by ``notices.send_notices``; anything else going wrong is logged here (the reference and the
    error's type, never the report's text) and left for ``tsbkart remind``, since the reporter's request has
    already been answered."""
    settings = runtime.settings
    try:
        with smtp_sender(settings) as send:
            notices.send_notices(
                runtime.engine,
                now=runtime.now(),
                send=send,
                gettext=catalogue(settings.default_language).gettext,
                gettext_for=lambda chosen: catalogue(chosen).gettext,
                base_url=settings.public_base_url,
                sender=settings.mail_from,
                references=[reference],
                source="web",
            )
    except Exception as error:  # a background task: nobody is left to answer with an error
        log.warning("notice of error report %s not sent (%s)", reference, type(error).__name__)


@router.get("/meldinger/{reference}")
async def report_status(request: Request, reference: str) -> Response:
    ctx = context_of(request)
    report = await anyio.to_thread.run_sync(reports.get_report, request.app.state.auth.engine, reference)
    gettext = catalogue(ctx.language).gettext
    context = {
        "title": gettext("Error report") + f" {report.reference}",
        "report": report,
        "new": request.query_params.get("ny") == "1",
    }
    response = public_page(ctx, "reports/status.html", context)
    # The status changes when someone answers, with no new registry revision: no shared cache (nor the page
    # cache, web/operations/page_cache.py) may keep it. The page is the reporter's: search engines keep out.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _status_filter(value: str | None) -> reports.Status | None:
    return value if value in reports.STATUSES else None


async def _listed(request: Request) -> tuple[list[Report], str]:
    principal = principal_of(request)
    assert principal is not None  # the guard let only signed-in handlers through
    chosen = request.query_params.get("status", "open")
    status = _status_filter(chosen)
    found = await anyio.to_thread.run_sync(
        reports.reports_for, request.app.state.auth.engine, principal, status
    )
    return found, chosen if status else "all"


async def _list_page(request: Request, error: Message | None = None, reference: str = "") -> Response:
    """The stewards' list of reports; with ``error`` (422) the message about report ``reference`` above it."""
    found, chosen = await _listed(request)
    gettext = catalogue(language(request)).gettext
    context: dict[str, Any] = {
        "title": gettext("Error reports"),
        "reports": found,
        "status": chosen,
        "statuses": [*reports.STATUSES, "all"],
        "error": None if error is None else f"{reference}: {error.translate(gettext)}",
    }
    return page(request, "reports/list.html", context, 200 if error is None else 422)


@router.get("/forvalt/meldinger")
async def report_list(request: Request) -> Response:
    return await _list_page(request)


def _export_row(report: Report) -> list[Cell]:
    by = report.handled_by
    return [
        report.reference,
        report.status,
        report.record_kind,
        report.record_id,
        report.record_name,
        report.organisation_id,
        report.filed_at,
        report.text,
        report.contact,
        report.answer,
        report.change_set_id,
        report.handled_at,
        by.name if by else None,
    ]


@router.get("/forvalt/meldinger/eksport")
async def report_export(request: Request) -> Response:
    """The listed reports as CSV (``?format=csv``, default) or XLSX; every text cell formula-guarded."""
    found, _ = await _listed(request)
    rows: list[list[Cell]] = [list(EXPORT_COLUMNS), *(_export_row(r) for r in found)]
    if request.query_params.get("format") == "xlsx":
        body: str | bytes = xlsx_bytes({"feilmeldinger": rows})
        media, name = XLSX, "feilmeldinger.xlsx"
    else:
        body, media, name = csv_text(rows), "text/csv; charset=utf-8", "feilmeldinger.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "private, no-store"}
    return Response(body, media_type=media, headers=headers)


def _change_set(value: str) -> int | None:
    text = value.strip().lstrip("#")
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise ReportInvalid("change_set", Message("A change set is named by its number."))
    return int(text)


async def _decide(
    request: Request, reference: str, decision: reports.Decision, answer: str, change_set: str
) -> Response:
    runtime = request.app.state.auth
    report = await anyio.to_thread.run_sync(reports.get_report, runtime.engine, reference)
    principal = await require(request, "report.handle", report.resource, f"report:{report.reference}")
    try:
        number = _change_set(change_set)
        await anyio.to_thread.run_sync(
            lambda: reports.handle_report(
                runtime.engine,
                report.reference,
                principal.actor,
                decision,
                answer,
                number,
                now=runtime.now(),
                source=client_address(request),
            )
        )
    except ReportInvalid as problem:
        return await _list_page(request, problem.text, report.reference)
    return RedirectResponse(f"/forvalt/meldinger?status=all#r-{report.reference}", status_code=303)


@router.post("/forvalt/meldinger/{reference}/svar")
async def answer_report(
    request: Request,
    reference: str,
    answer: Annotated[str, Form(max_length=reports.MAX_ANSWER * 2)] = "",
    change_set: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    return await _decide(request, reference, "answered", answer, change_set)


@router.post("/forvalt/meldinger/{reference}/avvis")
async def dismiss_report(
    request: Request, reference: str, reason: Annotated[str, Form(max_length=reports.MAX_ANSWER * 2)] = ""
) -> Response:
    return await _decide(request, reference, "dismissed", reason, "")
