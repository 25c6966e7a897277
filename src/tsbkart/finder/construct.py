"""Pydantic models made from values that are already complete and typed, on the finder's hot path.

``Model.model_construct`` skips validation but still walks every field (aliases, defaults) for each object, and
``model_copy`` goes through ``copy.copy``; a search makes a few hundred objects (one result per offer shown,
one distance reason each), so that walk is a sizeable part of its time. :func:`constructed` makes the same
object (equal, same ``model_fields_set``, same JSON: tested) when the values hold every field already.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)
_set = object.__setattr__  # pydantic's own way past its __setattr__ (as in model_construct)


def constructed(cls: type[M], values: dict[str, Any], fields_set: Set[str]) -> M:
    """``cls.model_construct(**values)`` for ``values`` that hold every field of ``cls`` (and nothing else), in
    field order; ``fields_set`` as ``model_construct`` would set it (copied: pydantic adds to it on assignment).
    The model must have no private attributes and no extra fields."""
    model = cls.__new__(cls)
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(fields_set))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model
