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

from tsbkart.finder.rules import Label, reason_texts

Param = str | int | float | None
Localised = Mapping[str, str] | Label  # {"nb": ..., "en": ...} or a rules file's label


class Reason(BaseModel):
    code: str
    kind: str  # exclusion | rank | info
    params: dict[str, Param]
    nb: str
    en: str


def _shown(value: Param | Localised, language: str) -> str:
    if isinstance(value, (Mapping, Label)):
        return value[language]
    if isinstance(value, float):
        return (
            f"{value:.0f}" if value >= 10 else f"{value:.1f}".replace(".", "," if language == "nb" else ".")
        )
    return "" if value is None else str(value)


def reason(code: str, **params: Param | Localised) -> Reason:
    """Build a reason; a parameter may be a plain value or a ``{"nb", "en"}`` label (kept as its English text).

    Reasons repeat a lot (the same few codes and labels on every result), so they are built once per distinct
    (code, params) and shared; treat them as read-only."""
    key = tuple((k, (v["nb"], v["en"]) if isinstance(v, (Mapping, Label)) else v) for k, v in params.items())
    return _cached(code, key)


@lru_cache(maxsize=8192)
def _cached(code: str, key: tuple[tuple[str, Any], ...]) -> Reason:
    params = {k: {"nb": v[0], "en": v[1]} if isinstance(v, tuple) else v for k, v in key}
    return _build(code, params)


def _build(code: str, params: Mapping[str, Any]) -> Reason:
    text = reason_texts()[code]
    raw: dict[str, Param] = {k: (v["en"] if isinstance(v, Mapping) else v) for k, v in params.items()}
    # model_construct: the values are built here from typed inputs, so pydantic's validation is redundant work
    # on the finder's hot path.
    return Reason.model_construct(
        code=code,
        kind=text.kind,
        params=raw,
        nb=text.nb.format(**{k: _shown(v, "nb") for k, v in params.items()}),
        en=text.en.format(**{k: _shown(v, "en") for k, v in params.items()}),
    )


def joined(labels: Sequence[Localised]) -> dict[str, str]:
    """Labels joined into one localised phrase: ["a", "b"] -> "a, b"."""
    return {lang: ", ".join(label[lang] for label in labels) for lang in ("nb", "en")}
