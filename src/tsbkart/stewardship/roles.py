"""Who someone is and what they hold: roles, grants, the signed-in principal and the actor reference.

- ``administrator``: national (scope ``national``, code ``""``).
- ``reviewer``: for a region (``region``, e.g. ``helse-nord``) or a catchment area (``catchment``, e.g. ``unn``).
- ``steward``: for one organisation per grant (``organisation``, an organisation id); several grants allowed.

``ActorRef`` is the typed reference a revision or an audit event names (``kind`` ``user`` + ``id`` + display
name), so the request context can carry a ``Principal`` and writes take ``principal.actor``: it is
``tsbkart.domain.actors.Actor``, the one actor type of the registry's revisions and the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from tsbkart.domain.actors import ANONYMOUS, Actor, ActorKind

Role = Literal["administrator", "reviewer", "steward"]
ScopeKind = Literal["national", "region", "catchment", "organisation"]

ROLES: tuple[Role, ...] = ("administrator", "reviewer", "steward")
# Which scopes each role may be granted over.
ROLE_SCOPES: dict[Role, tuple[ScopeKind, ...]] = {
    "administrator": ("national",),
    "reviewer": ("region", "catchment"),
    "steward": ("organisation",),
}


@dataclass(frozen=True, slots=True)
class Grant:
    role: Role
    scope_kind: ScopeKind
    scope_code: str = ""

    def __str__(self) -> str:
        return (
            self.role
            if self.scope_kind == "national"
            else f"{self.role} ({self.scope_kind} {self.scope_code})"
        )


ActorRef = Actor  # ``{"kind": "user", "id": "7", "name": "Kari Nordmann"}``: who did something, typed
__all__ = ["ANONYMOUS", "ActorKind", "ActorRef"]


@dataclass(frozen=True, slots=True)
class Principal:
    """A signed-in user as a request sees them: identity, grants and the session they came with."""

    user_id: int
    username: str
    display_name: str
    grants: tuple[Grant, ...] = ()
    session_id: int | None = None
    method: str = "password"
    language: str | None = None  # the account's (e-mail to it is in it); None: never set, the default
    roles: frozenset[str] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "roles", frozenset(g.role for g in self.grants))

    @property
    def actor(self) -> ActorRef:
        return ActorRef("user", str(self.user_id), self.display_name)

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def scopes(self, role: Role) -> set[tuple[ScopeKind, str]]:
        return {(g.scope_kind, g.scope_code) for g in self.grants if g.role == role}
