"""The steward's pages: the dashboard ``/forvalt``, the edit form ``/forvalt/{kind}/{id}`` (the kind's sheet
name, e.g. ``/forvalt/enheter/unn-rus``), "confirm unchanged", and the preview and submission of a draft
``/forvalt/endringer/{id}/forhandsvis``.

Thin: the form is ``stewardship.editing``'s, the board ``stewardship.dashboard``'s, and change sets, review
rules and direct publishing ``stewardship.changesets``'. Every route acting on a record asks
``access.require`` (a refusal is a 403 page and an audit event). A steward keeps one open draft per
organisation: each saved edit is added to it (replacing an earlier edit of the same record). What needs no
review (``stewardship/review.yaml``) is published when the draft is submitted, the rest goes to a reviewer (the
review pages, ``web/stewardship/review.py``, also rebase and withdraw);
an edit that needs no review at all, with no draft open, is published at once.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from starlette.convertors import Convertor, register_url_convertor
from starlette.datastructures import FormData
from starlette.responses import Response

from tsbkart.domain.entities import RegistryRecord
from tsbkart.domain.errors import NotFound
from tsbkart.domain.messages import Message
from tsbkart.registry.changes import Change, Upsert
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.registry.store import Registry, geography_ids
from tsbkart.registry.validation import KnownIds
from tsbkart.registry.versions import Conflict
from tsbkart.stewardship import changesets, editing
from tsbkart.stewardship.changesets import ChangeSet
from tsbkart.stewardship.dashboard import build_dashboard
from tsbkart.stewardship.places import resource_of
from tsbkart.stewardship.review import load_review
from tsbkart.stewardship.roles import Principal
from tsbkart.views.unit_page import build_unit_page
from tsbkart.vocab import load_vocabularies
from tsbkart.web.context import RequestContext, context_of
from tsbkart.web.i18n import catalogue
from tsbkart.web.stewardship.access import Refused, audit_refusal, client_address, principal_of, require
from tsbkart.web.stewardship.render import page

router = APIRouter(include_in_schema=False)
KIND_OF_SLUG = {KINDS[kind].sheet: kind for kind in editing.STEWARDED_KINDS}
OPEN: tuple[changesets.Status, ...] = ("draft", "submitted", "rejected")
DONE = {
    "saved": "Saved in your draft.",
    "published": "Published at once: these facts need no review.",
    "confirmed": "Confirmed as unchanged and verified today.",
    "submitted": "Sent for review. What needs no review was published at once.",
    "withdrawn": "The draft was withdrawn.",
}


class StewardedKind(Convertor[str]):
    """The path part naming a kind stewards edit: its sheet name (``enheter``, ``tilbud``, ...)."""

    regex = "|".join(KIND_OF_SLUG)

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("stewarded", StewardedKind())


def edit_url(kind: str, record_id: str) -> str:
    return f"/forvalt/{KINDS[kind].sheet}/{quote(record_id, safe='/')}"


def preview_url(change_set_id: int) -> str:
    return f"/forvalt/endringer/{change_set_id}/forhandsvis"


def _registry(request: Request) -> Registry:
    registry: Registry = request.app.state.tsbkart.registry
    return registry


def _principal(request: Request) -> Principal:
    principal = principal_of(request)
    assert principal is not None  # the guard admits only signed-in holders of record.edit
    return principal


def _helpers() -> dict[str, Any]:
    return {"edit_url": edit_url, "preview_url": preview_url, "kind_label": lambda k: KINDS[k].label}


def _flash(request: Request) -> str | None:
    done = request.query_params.get("ok", "")
    return catalogue(context_of(request).language).gettext(DONE[done]) if done in DONE else None


# --- the dashboard -----------------------------------------------------------------------------------------


@router.get("/forvalt")
def dashboard(request: Request) -> Response:
    ctx = context_of(request)
    principal = _principal(request)
    board = build_dashboard(ctx.snapshot, principal, ctx.today)
    engine = request.app.state.auth.engine
    sets = changesets.for_organisations(engine, board.organisation_ids, statuses=OPEN)
    text = catalogue(ctx.language).gettext
    context = {
        "title": text("My records"),
        "board": board,
        "change_sets": sets,
        "message": _flash(request),
        "is_steward_only": principal.roles == {"steward"},
        # What e-mail to the account is written in (stewardship.notices, .reminders): the account's language.
        "notice_language": principal.language or request.app.state.auth.settings.default_language,
        **_helpers(),
    }
    return page(request, "stewardship/dashboard.html", context)


# --- the edit form -----------------------------------------------------------------------------------------


def _record(ctx: RequestContext, kind: str, record_id: str) -> RegistryRecord:
    record = ctx.snapshot.records(kind).get(record_id)
    if record is None:
        raise NotFound("No record has this id.")
    return record


def _open_draft(request: Request, organisation_id: str, principal: Principal) -> ChangeSet | None:
    """The principal's open draft for the organisation (the newest, if there are several)."""
    engine = request.app.state.auth.engine
    for change_set in changesets.for_organisations(engine, [organisation_id], statuses=("draft",)):
        if (change_set.author.kind, change_set.author.id) == (principal.actor.kind, principal.actor.id):
            return change_set
    return None


def _drafted(change_set: ChangeSet | None, kind: str, record_id: str) -> Upsert | None:
    for change in change_set.changes if change_set else ():
        if (
            isinstance(change, Upsert)
            and change.record.id == record_id
            and KINDS.of(change.record).name == kind
        ):
            return change
    return None


def reference_options(snapshot: RegistrySnapshot, kind: str) -> dict[str, list[tuple[str, str]]]:
    """Per reference target of ``kind``'s form: (code or id, what the select shows), by name."""
    geography = snapshot.geography
    out: dict[str, list[tuple[str, str]]] = {}
    for target in {f.target for f in editing.form_fields(kind) if f.target}:
        if target == "region":
            pairs = [(r.code, r.name) for r in geography.regions.values()]
        elif target == "catchment":
            pairs = [(c.code, f"{c.short_name} – {c.name}") for c in geography.catchments.values()]
        elif target == "area_unit":
            pairs = [(a.code, f"{a.name} ({a.code})") for a in geography.area_units.values()]
        else:
            pairs = [(r.id, str(getattr(r, "name", r.id))) for r in snapshot.records(target).values()]
        out[target] = sorted(pairs, key=lambda pair: pair[1].lower())
    return out


def _known(snapshot: RegistrySnapshot) -> KnownIds:
    ids: dict[str, set[str] | None] = {k: set(snapshot.records(k)) for k in KINDS.names()}
    return KnownIds(ids | geography_ids(snapshot.geography))


async def _authorised(request: Request, kind: str, record: RegistryRecord) -> tuple[Principal, str]:
    """The principal, or a 403 (audited) when the record is not theirs; and the record's organisation."""
    snapshot = context_of(request).snapshot
    resource = resource_of(snapshot, kind, record)
    principal = await require(request, "record.edit", resource, f"{kind}:{record.id}")
    return principal, resource.organisation_id or ""


def _form_page(
    request: Request,
    kind: str,
    published: RegistryRecord,
    *,
    values: dict[str, Any],
    based_on: int,
    draft: ChangeSet | None,
    errors: tuple[editing.FieldError, ...] = (),
    submitted: dict[str, Any] | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    ctx = context_of(request)
    text = catalogue(ctx.language).gettext
    record_name = str(getattr(published, "name", None) or published.id)
    by_key: dict[str, list[str]] = {}
    for error in errors:
        by_key.setdefault(error.key, []).append(error.text.translate(text))
    rules = load_review()
    context = {
        "title": text("Edit") + f": {record_name}",
        "kind": kind,
        "record": published,
        "record_name": record_name,
        "fields": editing.form_fields(kind),
        "values": values,
        "published": editing.form_values(published),
        "direct": {f.key for f in editing.form_fields(kind) if rules.is_direct(kind, f.key)},
        "errors": by_key,
        "error_count": len(errors),
        "submitted": submitted or {},
        "based_on": based_on,
        "draft": draft,
        "notice": notice,
        "source_key": editing.SOURCE,
        "verified_key": editing.VERIFIED,
        "field_source": editing.field_source,
        "field_verified": editing.field_verified,
        "action_url": edit_url(kind, published.id),
        "codes": {v.name: list(v.codes) for v in load_vocabularies()},
        "references": reference_options(ctx.snapshot, kind),
        "public_url": f"/enhet/{published.id}"
        if kind == "unit"
        else (f"/enhet/{getattr(published, 'unit_id', '')}" if kind == "offer" else None),
        **_helpers(),
    }
    return page(request, "stewardship/edit.html", context, status)


@router.get("/forvalt/{record_kind:stewarded}/{record_id:path}")
async def edit_form(request: Request, record_kind: str, record_id: str) -> Response:
    kind = KIND_OF_SLUG[record_kind]
    ctx = context_of(request)
    published = _record(ctx, kind, record_id)
    principal, organisation_id = await _authorised(request, kind, published)
    draft = await anyio.to_thread.run_sync(_open_draft, request, organisation_id, principal)
    drafted = _drafted(draft, kind, record_id)
    shown = drafted.record if drafted else published
    based_on = (
        drafted.based_on
        if drafted and drafted.based_on is not None
        else ctx.snapshot.version(kind, record_id)
    )
    return _form_page(
        request, kind, published, values=editing.form_values(shown), based_on=based_on, draft=draft
    )


def _submitted(form: FormData) -> dict[str, str | list[str]]:
    keys = {key for key in form}
    return {
        k: [v for v in form.getlist(k) if isinstance(v, str)]
        if len(form.getlist(k)) > 1
        else str(form.get(k) or "")
        for k in keys
    }


def _values(kind: str, form: dict[str, str | list[str]]) -> dict[str, Any]:
    """What the steward typed, to show again with the messages."""
    out: dict[str, Any] = {}
    for field in editing.form_fields(kind):
        value = form.get(field.key, [] if field.widget == "checkboxes" else "")
        if field.widget == "checkboxes" and isinstance(value, str):
            value = [value] if value else []
        out[field.key] = value
    return out


def _based_on(form: dict[str, str | list[str]], fallback: int) -> int:
    value = form.get("based_on", "")
    return int(value) if isinstance(value, str) and value.isdigit() and len(value) < 12 else fallback


@router.post("/forvalt/{record_kind:stewarded}/{record_id:path}")
async def save(request: Request, record_kind: str, record_id: str) -> Response:
    kind = KIND_OF_SLUG[record_kind]
    ctx = context_of(request)
    published = _record(ctx, kind, record_id)
    principal, organisation_id = await _authorised(request, kind, published)
    form = _submitted(await request.form())
    if form.get("action") == "confirm":
        return await anyio.to_thread.run_sync(_confirm, request, kind, published, principal)
    return await anyio.to_thread.run_sync(_save, request, kind, published, principal, organisation_id, form)


def _confirm(request: Request, kind: str, published: RegistryRecord, principal: Principal) -> Response:
    ctx = context_of(request)
    record = editing.confirmed(published, ctx.today)
    change = Upsert(record, based_on=ctx.snapshot.version(kind, published.id))
    text = catalogue(ctx.language).gettext
    try:
        changesets.publish_direct(
            _registry(request),
            principal.actor,
            [change],
            reason="confirmed unchanged",
            source=client_address(request),
        )
    except Conflict:
        notice = text("Someone changed this record a moment ago. Check it again before you confirm it.")
        return _form_page(
            request,
            kind,
            published,
            values=editing.form_values(published),
            based_on=ctx.snapshot.version(kind, published.id),
            draft=None,
            notice=notice,
            status=409,
        )
    return RedirectResponse(f"/forvalt?{urlencode({'ok': 'confirmed'})}", status_code=303)


def _save(
    request: Request,
    kind: str,
    published: RegistryRecord,
    principal: Principal,
    organisation_id: str,
    form: dict[str, str | list[str]],
) -> Response:
    ctx = context_of(request)
    text = catalogue(ctx.language).gettext
    engine = request.app.state.auth.engine
    current_version = ctx.snapshot.version(kind, published.id)
    draft = _open_draft(request, organisation_id, principal)
    drafted = _drafted(draft, kind, published.id)
    base = drafted.record if drafted else published
    based_on = (
        drafted.based_on if drafted and drafted.based_on is not None else _based_on(form, current_version)
    )
    edit = editing.apply_form(
        kind, base, form, steward=principal.display_name, known=_known(ctx.snapshot), today=ctx.today
    )
    again: dict[str, Any] = {
        "values": _values(kind, form),
        "based_on": based_on,
        "draft": draft,
        "submitted": form,
    }
    if not edit.ok or edit.record is None:
        return _form_page(request, kind, published, errors=edit.errors, status=422, **again)
    if not edit.changed:
        notice = text(
            "Nothing was changed. To confirm that the facts are still right, use “Confirm unchanged”."
        )
        return _form_page(request, kind, published, notice=notice, **again)
    if not drafted and based_on != current_version:
        notice = text(
            "Someone else changed this record while you were editing. The form now holds your values: check them against the published ones and save again."
        )
        again["based_on"] = current_version
        return _form_page(request, kind, published, notice=notice, status=409, **again)
    change = Upsert(edit.record, based_on=based_on)
    if draft is None:
        direct, review = changesets.split_by_review([change], ctx.snapshot)
        if direct and not review:
            changesets.publish_direct(
                _registry(request), principal.actor, direct, source=client_address(request)
            )
            return RedirectResponse(f"/forvalt?{urlencode({'ok': 'published'})}", status_code=303)
        draft = changesets.create_draft(
            engine, principal.actor, organisation_id, [change], source=client_address(request)
        )
    else:
        kept: list[Change] = [c for c in draft.changes if c is not drafted]
        draft = changesets.update_draft(
            engine, draft.id, principal.actor, [*kept, change], source=client_address(request)
        )
    return RedirectResponse(preview_url(draft.id), status_code=303)


# --- preview and submission --------------------------------------------------------------------------------


def _unit_of(change_set: ChangeSet, snapshot: RegistrySnapshot) -> str | None:
    """The unit whose public page shows the change set best: the first unit edited, or an edited offer's."""
    for change in change_set.changes:
        if isinstance(change, Upsert):
            kind = KINDS.of(change.record).name
            if kind == "unit":
                return change.record.id
            if kind == "offer":
                return str(getattr(change.record, "unit_id", ""))
    return None


async def _change_set_for(request: Request, change_set_id: int) -> tuple[ChangeSet, Principal]:
    """The change set, if the principal may edit its records (a refusal is audited)."""
    engine = request.app.state.auth.engine
    change_set = await anyio.to_thread.run_sync(changesets.get, engine, change_set_id)
    snapshot = context_of(request).snapshot
    proposed = snapshot.with_changes(change_set.changes)
    principal = _principal(request)
    for change in change_set.changes:
        kind = KINDS.of(change.record).name if isinstance(change, Upsert) else change.kind
        record_id = change.record.id if isinstance(change, Upsert) else change.id
        record = snapshot.records(kind).get(record_id) or proposed.records(kind).get(record_id)
        resource = resource_of(snapshot if record_id in snapshot.records(kind) else proposed, kind, record)
        principal = await require(request, "record.edit", resource, change_set.target)
    return change_set, principal


@router.get("/forvalt/endringer/{change_set_id}/forhandsvis")
async def preview(request: Request, change_set_id: int) -> Response:
    change_set, principal = await _change_set_for(request, change_set_id)
    ctx = context_of(request)
    text = catalogue(ctx.language).gettext
    snapshot = ctx.snapshot
    proposed = snapshot.with_changes(change_set.changes)
    unit_id = _unit_of(change_set, snapshot)
    built = build_unit_page(proposed, unit_id, today=ctx.today) if unit_id else None
    rules = load_review()
    rows = changesets.diff(change_set, snapshot)
    own = (change_set.author.kind, change_set.author.id) == (principal.actor.kind, principal.actor.id)
    context = {
        "title": text("Preview") + (f": {built.unit.name}" if built else ""),
        "change_set": change_set,
        "page": built,
        "teams": proposed.teams,
        "diff": rows,
        "direct": {(d.kind, d.field) for d in rows if rules.is_direct(d.kind, d.field)},
        "conflicts": changesets.conflicts(change_set, snapshot),
        "own": own,
        "edited": [(KINDS.of(c.record).name, c.record) for c in change_set.changes if isinstance(c, Upsert)],
        "offers": proposed.offers_of(unit_id) if unit_id else (),
        **_helpers(),
    }
    return page(request, "stewardship/preview.html", context)


@router.post("/forvalt/endringer/{change_set_id}/send-inn")
async def submit(request: Request, change_set_id: int) -> Response:
    change_set, principal = await _change_set_for(request, change_set_id)
    if (change_set.author.kind, change_set.author.id) != (principal.actor.kind, principal.actor.id):
        await audit_refusal(request, "changeset.author", change_set.target)
        raise Refused("changeset.author")  # only the author submits
    return await anyio.to_thread.run_sync(_submit, request, change_set, principal)


def _submit(request: Request, change_set: ChangeSet, principal: Principal) -> Response:
    registry, engine = _registry(request), request.app.state.auth.engine
    snapshot = registry.snapshot()
    if changesets.conflicts(change_set, snapshot):
        return RedirectResponse(preview_url(change_set.id), status_code=303)
    if change_set.status != "draft":
        raise changesets.InvalidTransition("submit", change_set.status)
    direct, review = changesets.split_by_review(change_set.changes, snapshot)
    source = client_address(request)
    if direct:
        revision = changesets.publish_direct(registry, principal.actor, direct, source=source)
        if revision is not None:
            touched = {(KINDS.of(c.record).name, c.record.id) for c in direct if isinstance(c, Upsert)}
            review = [
                Upsert(c.record, based_on=revision)
                if isinstance(c, Upsert) and (KINDS.of(c.record).name, c.record.id) in touched
                else c
                for c in review
            ]
    if review:
        changesets.update_draft(engine, change_set.id, principal.actor, review, source=source)
        changesets.submit(engine, change_set.id, principal.actor, source=source)
        done = "submitted"
    else:
        changesets.withdraw(engine, change_set.id, principal.actor, source=source)
        done = "published"
    return RedirectResponse(f"/forvalt?{urlencode({'ok': done})}", status_code=303)


__all__ = ["Message", "edit_url", "preview_url", "router"]
