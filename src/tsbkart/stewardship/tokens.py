"""API tokens: per organisation, stored as the SHA-256 of a 256-bit secret shown once, scoped, expiring and
revocable. Scopes are data (``tokens.yaml``); a token may be narrowed to record kinds and to fields::

    token, secret = create_token(session, "org-a", "Ventetider fra EPJ", ["records:update"],
                                 kinds=["offer"], fields=["waiting_weeks", "waiting_as_of"], days=90,
                                 by=actor, now=now)
    secret                      # "tsbk_3q...": shown once, never stored
    found = authenticate(session, secret, now)   # Authenticated(token, problem=None | "expired" | ...)
    token.refusal("update", "offer", ["waiting_weeks"])   # None: allowed
    token.refusal("delete", "offer", [])                   # "scope": the token may not delete
    token.actor                 # Actor("token", "7", "Ventetider fra EPJ"): what revisions and events name

Audit: ``token_created`` and ``token_revoked`` (target ``api_token:<id>``, never the secret); every use by the
write API is ``token_used`` (``record_use``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tsbkart.db.stewardship import ApiTokenRow
from tsbkart.domain.actors import Actor
from tsbkart.domain.errors import NotFound, UserError
from tsbkart.domain.messages import Message
from tsbkart.domain.schema import schema_of
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.store import as_utc
from tsbkart.stewardship.audit import AuditEvent, Outcome, append
from tsbkart.stewardship.keys import token_hash
from tsbkart.yaml_schema import validate

Operation = Literal["create", "update", "delete"]
PREFIX = "tsbk_"  # so a leaked token is recognisable (secret scanners, logs)
MAX_NAME = 200
# last_used_at is written at most this often, so a busy feed does not write on every request.
TOUCH_EVERY = timedelta(seconds=60)


class _Scope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    operations: tuple[Operation, ...]


class TokenRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    version: int = 1
    source: str
    default_days: int = Field(ge=1)
    max_days: int = Field(ge=1)
    scopes: dict[str, _Scope]


@cache
def load_rules() -> TokenRules:
    text = (resources.files("tsbkart.stewardship") / "tokens.yaml").read_text(encoding="utf-8")
    return validate(TokenRules, yaml.safe_load(text), "tokens.yaml")


class TokenInvalid(UserError):
    """A token cannot be made like that (unknown scope, kind or field, bad lifetime, unknown organisation)."""

    status = 422

    def __init__(self, text: Message) -> None:
        super().__init__(str(text))
        self.text = text


class TokenNotFound(NotFound):
    pass


@dataclass(frozen=True, slots=True)
class ApiToken:
    id: int
    organisation_id: str
    name: str
    scopes: tuple[str, ...]
    kinds: tuple[str, ...] | None  # None: every kind
    fields: tuple[str, ...] | None  # None: every field
    created_at: datetime
    created_by: str
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def actor(self) -> Actor:
        return Actor("token", str(self.id), self.name)

    def status(self, now: datetime) -> Literal["active", "expired", "revoked"]:
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if self.expires_at <= now else "active"

    def operations(self) -> frozenset[Operation]:
        rules = load_rules().scopes
        return frozenset(op for scope in self.scopes if scope in rules for op in rules[scope].operations)

    def refusal(self, operation: Operation, kind: str, fields: Iterable[str]) -> str | None:
        """Why this token may not do ``operation`` on ``kind`` touching ``fields`` (None: it may)."""
        if operation not in self.operations():
            return "scope"
        if self.kinds is not None and kind not in self.kinds:
            return "kind"
        if self.fields is not None:
            if operation != "update":
                return "fields"  # a create or delete touches every field
            outside = sorted(set(fields) - set(self.fields))
            if outside:
                return "fields:" + ",".join(outside)
        return None


@dataclass(frozen=True, slots=True)
class Authenticated:
    token: ApiToken | None
    problem: Literal["unknown", "expired", "revoked"] | None = None


def _from_row(row: ApiTokenRow) -> ApiToken:
    return ApiToken(
        id=row.id,
        organisation_id=row.organisation_id,
        name=row.name,
        scopes=tuple(row.scopes),
        kinds=tuple(row.kinds) if row.kinds is not None else None,
        fields=tuple(row.fields) if row.fields is not None else None,
        created_at=as_utc(row.created_at),
        created_by=row.created_by,
        expires_at=as_utc(row.expires_at),
        revoked_at=as_utc(row.revoked_at) if row.revoked_at else None,
        last_used_at=as_utc(row.last_used_at) if row.last_used_at else None,
    )


def _checked(
    scopes: Sequence[str], kinds: Sequence[str] | None, fields: Sequence[str] | None, days: int
) -> tuple[list[str], list[str] | None, list[str] | None]:
    rules = load_rules()
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in rules.scopes]
    if not chosen or unknown:
        known = ", ".join(rules.scopes)
        raise TokenInvalid(Message("Give one or more scopes: {known}.", known=known))
    kind_list = sorted(set(kinds)) if kinds else None
    if kind_list is not None and not set(kind_list) <= set(KINDS.names()):
        bad = ", ".join(k for k in kind_list if k not in KINDS)
        raise TokenInvalid(Message("Unknown record kind(s): {kinds}.", kinds=bad))
    field_list = sorted(set(fields)) if fields else None
    if field_list is not None:
        names = {spec.key for k in kind_list or KINDS.names() for spec in schema_of(KINDS[k].cls).fields}
        bad = ", ".join(f for f in field_list if f not in names)
        if bad:
            raise TokenInvalid(Message("Unknown field(s): {fields}.", fields=bad))
    if not 1 <= days <= rules.max_days:
        raise TokenInvalid(Message("A token lives from 1 to {days} days.", days=rules.max_days))
    return chosen, kind_list, field_list


def create_token(
    session: Session,
    organisation_id: str,
    name: str,
    scopes: Sequence[str],
    *,
    kinds: Sequence[str] | None = None,
    fields: Sequence[str] | None = None,
    days: int | None = None,
    by: Actor,
    now: datetime,
    source: str | None = None,
) -> tuple[ApiToken, str]:
    """A new token for ``organisation_id``; returns it and its secret (shown once, only the hash is kept)."""
    label = " ".join(name.split())[:MAX_NAME]
    if not label:
        raise TokenInvalid(Message("Give the token a name that says which system uses it."))
    lifetime = days if days is not None else load_rules().default_days
    chosen, kind_list, field_list = _checked(scopes, kinds, fields, lifetime)
    if session.get(KINDS["organisation"].row, organisation_id) is None:
        raise TokenInvalid(Message("No organisation has the id {id}.", id=organisation_id))
    secret = PREFIX + secrets.token_urlsafe(32)
    row = ApiTokenRow(
        token_hash=token_hash(secret),
        organisation_id=organisation_id,
        name=label,
        scopes=chosen,
        kinds=kind_list,
        fields=field_list,
        created_at=now,
        created_by=by.name[:200],
        expires_at=now + timedelta(days=lifetime),
    )
    session.add(row)
    session.flush()
    detail: dict[str, str | None] = {
        "organisation": organisation_id,
        "scopes": " ".join(chosen),
        "kinds": " ".join(kind_list) if kind_list else None,
        "fields": " ".join(field_list) if field_list else None,
        "expires": row.expires_at.date().isoformat(),
    }
    append(session, AuditEvent("token_created", by, "ok", f"api_token:{row.id}", source, detail), now)
    return _from_row(row), secret


def revoke_token(
    session: Session, token_id: int, *, by: Actor, now: datetime, source: str | None = None
) -> ApiToken:
    row = session.get(ApiTokenRow, token_id)
    if row is None:
        raise TokenNotFound("No API token has this number.")
    if row.revoked_at is None:
        row.revoked_at = now
        detail = {"organisation": row.organisation_id}
        append(session, AuditEvent("token_revoked", by, "ok", f"api_token:{row.id}", source, detail), now)
    return _from_row(row)


def get_token(session: Session, token_id: int) -> ApiToken:
    row = session.get(ApiTokenRow, token_id)
    if row is None:
        raise TokenNotFound("No API token has this number.")
    return _from_row(row)


def list_tokens(session: Session, organisation_ids: Sequence[str] | None = None) -> list[ApiToken]:
    """Tokens of these organisations (None: all), newest first."""
    query = select(ApiTokenRow).order_by(ApiTokenRow.id.desc())
    if organisation_ids is not None:
        query = query.where(ApiTokenRow.organisation_id.in_(organisation_ids))
    return [_from_row(row) for row in session.execute(query).scalars()]


def authenticate(session: Session, secret: str, now: datetime) -> Authenticated:
    """The token behind a bearer secret; an expired or revoked one comes back with its problem."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return Authenticated(None, "unknown")
    row = session.execute(
        select(ApiTokenRow).where(ApiTokenRow.token_hash == token_hash(secret))
    ).scalar_one_or_none()
    if row is None:
        return Authenticated(None, "unknown")
    token = _from_row(row)
    status = token.status(now)
    if status != "active":
        return Authenticated(token, status)
    if token.last_used_at is None or now - token.last_used_at >= TOUCH_EVERY:
        row.last_used_at = now
    return Authenticated(token)


def record_use(
    engine: Engine,
    token: ApiToken,
    outcome: Outcome,
    target: str,
    *,
    now: datetime,
    source: str | None,
    detail: dict[str, str | int | None],
) -> None:
    """One ``token_used`` event (the token's id and name, never its secret)."""
    event = AuditEvent("token_used", token.actor, outcome, target, source, detail)
    with Session(engine) as session, session.begin():
        append(session, event, now)
