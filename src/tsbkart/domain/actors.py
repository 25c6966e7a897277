"""Who did something: a typed reference (kind + id + display name), never free text.

One type for every place that names someone: a registry revision (``actor``, ``approved_by``), an audit event,
the signed-in principal (``tsbkart.stewardship.roles`` calls it ``ActorRef``)::

    Actor.cli("steward@ous")                       # Actor(kind="cli", id="steward@ous", name="steward@ous")
    Actor("user", "7", "Kari Nordmann")            # a signed-in steward
    Actor("token", "ci-import", "Nightly import token")
    Actor("system", "reference-loader", "tsbkart reference loader")
    ANONYMOUS                                      # Actor("anonymous", None, "anonymous"): audit only

Only identified actors write revisions (``WRITER_KINDS``; the revisions table checks it too).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

ActorKind = Literal["cli", "user", "token", "system", "anonymous"]
ACTOR_KINDS: tuple[str, ...] = get_args(ActorKind)
WRITER_KINDS: tuple[str, ...] = tuple(k for k in ACTOR_KINDS if k != "anonymous")
MAX_LENGTH = 200  # the width of the actor columns


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: (
        str | None
    )  # stable within its kind: a user id, a token id, the name given to `tsbkart import --actor`
    name: str  # display name, shown in history and the audit log

    def __post_init__(self) -> None:
        if self.kind not in ACTOR_KINDS:
            raise ValueError(f"actor kind must be one of {', '.join(ACTOR_KINDS)}, not {self.kind!r}")
        if (self.id is None) != (self.kind == "anonymous"):
            raise ValueError("an anonymous actor has no id, and every other actor has one")
        for label, value in (("id", self.id), ("name", self.name)):
            if value is None:
                continue
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"an actor needs a non-empty {label}")
            if len(value) > MAX_LENGTH:
                raise ValueError(f"an actor's {label} is longer than {MAX_LENGTH} characters")

    @classmethod
    def cli(cls, name: str) -> Actor:
        """The person named on the command line (``tsbkart import --actor NAME``)."""
        return cls("cli", name.strip(), name.strip())

    @property
    def label(self) -> str:
        """``name (kind)``, or ``name (kind id)`` when the id says more than the name."""
        if self.id is None or self.id == self.name:
            return f"{self.name} ({self.kind})"
        return f"{self.name} ({self.kind} {self.id})"

    def as_dict(self) -> dict[str, str | None]:
        return {"kind": self.kind, "id": self.id, "name": self.name}


ANONYMOUS = Actor("anonymous", None, "anonymous")
