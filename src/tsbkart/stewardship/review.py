"""Which changes need a reviewer: the per-field review configuration in ``review.yaml``, checked at load.

Shapes, by example::

    rules = load_review()
    rules.is_direct("offer", "waiting_weeks")    # True: publishes without review
    rules.is_direct("unit", "street_address")    # False: every other field needs review
    rules.reverification_direct                  # True: a change of `verified` dates only publishes directly

Field names are the schema's (``domain.schema.schema_of``); an unknown kind or field name is an error naming
the file and entry, so a renamed field cannot silently start to publish unreviewed (or stop).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, model_validator

from tsbkart.domain.schema import schema_of
from tsbkart.registry.kinds import KINDS
from tsbkart.yaml_schema import validate


class ReviewRules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    rules: Literal["review"] = "review"
    version: int = 1
    source: str
    default: Literal["review"] = "review"
    direct: dict[str, tuple[str, ...]] = {}
    reverification_direct: bool = True

    @model_validator(mode="after")
    def _known_fields(self) -> ReviewRules:
        for kind, names in self.direct.items():
            if kind not in KINDS:
                raise ValueError(f"unknown record kind {kind!r} (known: {', '.join(KINDS.names())})")
            known = {spec.key for spec in schema_of(KINDS[kind].cls).fields}
            unknown = sorted(set(names) - known)
            if unknown:
                raise ValueError(f"{kind} has no field(s) {', '.join(unknown)}")
        return self

    def is_direct(self, kind: str, key: str) -> bool:
        """Does an edit of ``kind``'s field ``key`` (its flat JSON key) publish without review?"""
        return key in self.direct.get(kind, ())


def parse_review(document: object, origin: str = "review.yaml") -> ReviewRules:
    return validate(ReviewRules, document, origin)


@cache
def load_review() -> ReviewRules:
    """The bundled review rules, validated once per process."""
    text = (resources.files("tsbkart.stewardship") / "review.yaml").read_text(encoding="utf-8")
    return parse_review(yaml.safe_load(text))
