"""The review pages: the queue ``/forvalt/gjennomgang`` and one change set ``/forvalt/endringer/{id}`` with its
field-level diff, approve / reject-with-reason for reviewers, rebase / withdraw for its author.

Thin: the rules (area, self-approval, conflicts, the state machine) are ``stewardship.changesets``'s and the
page data ``views.change_set_page``'s. A refused or failed decision re-renders the change set with the
reason and the status (403 self-approval, self-rejection (the author withdraws instead) or outside the area,
409 conflict or a decided change set, 422 no reason); success answers 303 back to the page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.responses import Response

from tsbkart.domain.errors import UserError
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.store import Registry
from tsbkart.registry.versions import Conflict
from tsbkart.settings import Settings
from tsbkart.stewardship import changesets as cs
from tsbkart.stewardship.audit import AuditEvent, record
from tsbkart.stewardship.roles import Principal
from tsbkart.views.change_set_page import build_change_set_page, build_queue
from tsbkart.web.context import context_of
from tsbkart.web.i18n import catalogue
from tsbkart.web.stewardship.access import Refused, SignInRequired, client_address, principal_of
from tsbkart.web.stewardship.render import language, page

router = APIRouter(include_in_schema=False)
QUEUE = "/forvalt/gjennomgang"
CHANGE_SET = "/forvalt/endringer/{change_set_id}"
# What a failed action says on the change-set page (English catalogue ids), by error type.
MESSAGES: dict[type[UserError], str] = {
    Conflict: "A record in this change set has changed since it was edited. It cannot be approved until the "
    "steward has updated it to the current version.",
    cs.SelfApprovalRefused: "You cannot approve your own change set. Another reviewer must do it.",
    cs.SelfRejectionRefused: "You cannot reject your own change set. Withdraw it instead.",
    cs.NotAllowed: "This change set lies outside your review area.",
    cs.NotAuthor: "Only the steward who made this change set can do this.",
    cs.InvalidTransition: "This change set has already been decided or withdrawn; it cannot be changed.",
    cs.ReasonRequired: "Write why the change set is rejected; the steward sees the reason.",
}


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    if principal is None:  # the guard has already sent anonymous visitors to sign in
        raise SignInRequired
    return principal


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.tsbkart.settings
    return settings


def _registry(request: Request) -> Registry:
    registry: Registry = request.app.state.tsbkart.registry
    return registry


def _number(value: str) -> int:
    if not value.isdigit() or len(value) > 9:
        raise cs.ChangeSetNotFound(0)
    return int(value)


def _refuse(request: Request, principal: Principal, action: str, target: str) -> Refused:
    """Audit a refusal on one change set (sync routes run in a worker thread) and return the 403 to raise."""
    detail = {"reason": f"resource:{action}", "method": request.method, "route": request.url.path[:200]}
    event = AuditEvent(
        "permission_refused", principal.actor, "refused", target, client_address(request), detail
    )
    record(request.app.state.auth.engine, event)
    return Refused(action)


def _show(
    request: Request,
    change_set: cs.ChangeSet,
    principal: Principal,
    *,
    error: str | None = None,
    status: int = 200,
    reason: str = "",
) -> Response:
    text = catalogue(language(request)).gettext
    snapshot = context_of(request).snapshot
    view = build_change_set_page(
        change_set,
        snapshot,
        principal,
        allow_admin_self_approval=_settings(request).admin_self_approval,
        engine=request.app.state.auth.engine,
    )
    context = {
        "title": text("Change set %(number)s") % {"number": change_set.id},
        "view": view,
        "error": text(error) if error else None,
        "reason": reason,
        "kind_labels": {kind.name: kind.label for kind in KINDS},
    }
    return page(request, "stewardship/change_set.html", context, status)


def _load(request: Request, change_set_id: str) -> tuple[cs.ChangeSet, Principal]:
    principal = _principal(request)
    engine = request.app.state.auth.engine
    change_set = cs.get(engine, _number(change_set_id))
    if not cs.may_view(principal, change_set, context_of(request).snapshot):
        raise _refuse(request, principal, "changeset.view", change_set.target)
    return change_set, principal


def _failed(
    request: Request, change_set_id: int, principal: Principal, error: UserError, reason: str = ""
) -> Response:
    message = next((m for kind, m in MESSAGES.items() if isinstance(error, kind)), None)
    if message is None:
        raise error
    if isinstance(error, cs.NotAuthor):  # the core audits the other refusals itself
        _refuse(request, principal, "changeset.author", f"changeset:{change_set_id}")
    fresh = cs.get(request.app.state.auth.engine, change_set_id)
    return _show(request, fresh, principal, error=message, status=error.status, reason=reason)


@router.get(QUEUE)
def review_queue(request: Request) -> Response:
    principal = _principal(request)
    snapshot = context_of(request).snapshot
    waiting = cs.queue_for(request.app.state.auth.engine, principal, snapshot)
    text = catalogue(language(request)).gettext
    context = {"title": text("Change sets to review"), "rows": build_queue(waiting, snapshot)}
    return page(request, "stewardship/review_queue.html", context)


@router.get(CHANGE_SET)
def change_set_page(request: Request, change_set_id: str) -> Response:
    change_set, principal = _load(request, change_set_id)
    return _show(request, change_set, principal)


@router.post(CHANGE_SET + "/godkjenn")
def approve(request: Request, change_set_id: str) -> Response:
    change_set, principal = _load(request, change_set_id)
    try:
        cs.approve(
            request.app.state.auth.engine,
            _registry(request),
            change_set.id,
            principal,
            allow_admin_self_approval=_settings(request).admin_self_approval,
            source=client_address(request),
        )
    except UserError as error:
        return _failed(request, change_set.id, principal, error)
    return RedirectResponse(f"/forvalt/endringer/{change_set.id}", status_code=303)


@router.post(CHANGE_SET + "/avvis")
def reject(
    request: Request, change_set_id: str, reason: Annotated[str, Form(max_length=cs.MAX_REASON)] = ""
) -> Response:
    change_set, principal = _load(request, change_set_id)
    try:
        cs.reject(
            request.app.state.auth.engine,
            change_set.id,
            principal,
            reason,
            snapshot=context_of(request).snapshot,
            source=client_address(request),
        )
    except UserError as error:
        return _failed(request, change_set.id, principal, error, reason)
    return RedirectResponse(f"/forvalt/endringer/{change_set.id}", status_code=303)


@router.post(CHANGE_SET + "/oppdater")
def rebase(request: Request, change_set_id: str) -> Response:
    change_set, principal = _load(request, change_set_id)
    try:
        cs.rebase(
            request.app.state.auth.engine,
            _registry(request).snapshot(),
            change_set.id,
            principal.actor,
            source=client_address(request),
        )
    except UserError as error:
        return _failed(request, change_set.id, principal, error)
    return RedirectResponse(f"/forvalt/endringer/{change_set.id}", status_code=303)


@router.post(CHANGE_SET + "/trekk-tilbake")
def withdraw(request: Request, change_set_id: str) -> Response:
    change_set, principal = _load(request, change_set_id)
    try:
        cs.withdraw(
            request.app.state.auth.engine, change_set.id, principal.actor, source=client_address(request)
        )
    except UserError as error:
        return _failed(request, change_set.id, principal, error)
    return RedirectResponse(f"/forvalt/endringer/{change_set.id}", status_code=303)
