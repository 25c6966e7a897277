"""The one authorisation policy: role x action x resource, declared in ``policy.yaml``.

Every write route asks ``allowed(principal, action, resource)``; a steward may edit records of their own
organisations only, a reviewer acts in their region or catchment area, an administrator everywhere.

    >>> allowed(steward_of_a, "record.edit", Resource(organisation_id="a", region_code="helse-nord"))
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict

from tsbkart.stewardship.roles import Principal, Role

Relation = Literal["any", "organisation", "area"]


class _Policy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    actions: dict[str, dict[Role, Relation]]


@dataclass(frozen=True, slots=True)
class Resource:
    """What an action is done to: the record's organisation and the areas it lies in (unknown = None)."""

    organisation_id: str | None = None
    region_code: str | None = None
    catchment_code: str | None = None


@cache
def rules() -> dict[str, dict[Role, Relation]]:
    text = (resources.files("tsbkart.stewardship") / "policy.yaml").read_text(encoding="utf-8")
    return _Policy.model_validate(yaml.safe_load(text)).actions


ACTIONS = tuple(rules())


def _relates(principal: Principal, role: Role, relation: Relation, resource: Resource) -> bool:
    scopes = principal.scopes(role)
    if relation == "any":
        return bool(scopes)
    if relation == "organisation":
        return resource.organisation_id is not None and ("organisation", resource.organisation_id) in scopes
    return (resource.region_code is not None and ("region", resource.region_code) in scopes) or (
        resource.catchment_code is not None and ("catchment", resource.catchment_code) in scopes
    )


def allowed(principal: Principal | None, action: str, resource: Resource | None = None) -> bool:
    """May ``principal`` (None: anonymous) do ``action`` to ``resource`` (None: to anything at all)?"""
    if action not in rules():
        raise KeyError(f"unknown action {action!r}: declare it in stewardship/policy.yaml")
    if principal is None:
        return False
    for role, relation in rules()[action].items():
        if resource is None and principal.has_role(role):
            return True
        if resource is not None and _relates(principal, role, relation, resource):
            return True
    return False
