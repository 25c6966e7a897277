"""Who wrote a revision: a typed reference, not free text.

    Actor.cli("steward@ous")          # Actor(kind="cli", id="steward@ous", name="steward@ous")
    Actor("user", "7f3c...", "Kari Nordmann")   # a signed-in steward (the stewardship issue)
    Actor("token", "ci-import", "Nightly import token")
    Actor("system", "reference-loader", "tsbkart reference loader")

A revision has one ``actor`` and may have an ``approved_by`` actor (who approved a steward's change set).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

ActorKind = Literal["cli", "user", "token", "system"]
ACTOR_KINDS: tuple[str, ...] = get_args(ActorKind)
MAX_LENGTH = 200  # the revisions table's column width


@dataclass(frozen=True, slots=True)
class Actor:
    kind: ActorKind
    id: str  # stable within its kind: a user id, a token id, the name given to ``tsbkart import --actor``
    name: str  # display name, shown in history

    def __post_init__(self) -> None:
        if self.kind not in ACTOR_KINDS:
            raise ValueError(f"actor kind must be one of {', '.join(ACTOR_KINDS)}, not {self.kind!r}")
        for label, value in (("id", self.id), ("name", self.name)):
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
        return (
            f"{self.name} ({self.kind})" if self.id == self.name else f"{self.name} ({self.kind} {self.id})"
        )
