"""Structured reasons: a code, its parameters and the sentence in bokmål and English (texts in
``rules/reasons.yaml``). Example::

    Reason(code="age_below_min", kind="exclusion", params={"age_min": 18, "age": 17},
           nb="Tar imot fra 18 år, pasienten er 17", en="Accepts ages 18+, patient is 17")
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from pydantic import BaseModel

from tsbkart.finder.construct import constructed
from tsbkart.finder.rules import Label, reason_texts

Param = str | int | float | None
Localised = Mapping[str, str] | Label  # {"nb": ..., "en": ...} or a rules file's label


class Reason(BaseModel):
    code: str
    kind: str  # exclusion | rank | info
    params: dict[str, Param]
    nb: str
    en: str


_FIELDS = frozenset(Reason.model_fields)
# Checked before Mapping and Label: an isinstance against these concrete types is much cheaper than against an
# abstract base class, and most parameters are plain values.
_PLAIN = (str, int, float)


def _shown(value: Param | Localised, language: str) -> str:
    if isinstance(value, float):
        return (
            f"{value:.0f}" if value >= 10 else f"{value:.1f}".replace(".", "," if language == "nb" else ".")
        )
    if value is None:
        return ""
    if isinstance(value, _PLAIN) or not isinstance(value, (Mapping, Label)):
        return str(value)
    return value[language]


def reason(code: str, **params: Param | Localised) -> Reason:
    """Build a reason; a parameter may be a plain value or a ``{"nb", "en"}`` label (kept as its English text).

    Reasons repeat a lot (the same few codes and labels on every result), so they are built once per distinct
    (code, params) and shared; treat them as read-only."""
    # The value's type is in the key: 1, 1.0 and True are equal keys but read "1", "1,0" and "True".
    key = tuple((k, type(v), _hashable(v)) for k, v in params.items())
    return _cached(code, key)


def _hashable(value: Param | Localised) -> Param | tuple[str, str]:
    if value is None or isinstance(value, _PLAIN) or not isinstance(value, (Mapping, Label)):
        return value
    return value["nb"], value["en"]


@lru_cache(maxsize=8192)
def _cached(code: str, key: tuple[tuple[str, type, Any], ...]) -> Reason:
    params = {k: {"nb": v[0], "en": v[1]} if isinstance(v, tuple) else v for k, _, v in key}
    return _build(code, params)


def _build(code: str, params: Mapping[str, Any]) -> Reason:
    text = reason_texts()[code]
    raw: dict[str, Param] = {k: (v["en"] if isinstance(v, Mapping) else v) for k, v in params.items()}
    return _made(
        code,
        text.kind,
        raw,
        text.nb.format(**{k: _shown(v, "nb") for k, v in params.items()}),
        text.en.format(**{k: _shown(v, "en") for k, v in params.items()}),
    )


def _made(code: str, kind: str, params: dict[str, Param], nb: str, en: str) -> Reason:
    # Not validated: the values are built here from typed inputs, so pydantic's validation is redundant work on
    # the finder's hot path.
    return constructed(Reason, {"code": code, "kind": kind, "params": params, "nb": nb, "en": en}, _FIELDS)


def joined(labels: Sequence[Localised]) -> dict[str, str]:
    """Labels joined into one localised phrase: ["a", "b"] -> "a, b"."""
    return {lang: ", ".join(label[lang] for label in labels) for lang in ("nb", "en")}
