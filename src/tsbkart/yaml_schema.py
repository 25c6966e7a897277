"""YAML data files (vocabularies, rules, indicators) checked against pydantic models.

One place turns a pydantic ``ValidationError`` into the message a steward can act on, naming the file and
the entry::

    validate(FreshnessRules, yaml.safe_load(text), "freshness.yaml", RulesError)
    # RulesError("freshness.yaml: cycles[0].stale_after_months: Input should be greater than 0")
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


class DataFileError(ValueError):
    """A bundled data file is malformed; the message names the file and the entry."""


def _where(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def message(origin: str, error: ValidationError) -> str:
    """``origin: entry.path: problem`` for the first problem (the others usually follow from it)."""
    first = error.errors(include_url=False)[0]
    where = _where(tuple(first["loc"]))
    return f"{origin}: {where + ': ' if where else ''}{first['msg']}"


def validate(
    model: type[Model], document: object, origin: str, error: type[ValueError] = DataFileError
) -> Model:
    """``document`` as ``model``, or ``error`` with a message naming ``origin`` and the entry."""
    try:
        return model.model_validate(document)
    except ValidationError as problem:
        raise error(message(origin, problem)) from None
