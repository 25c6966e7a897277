"""Load and validate the vocabulary YAML files.

A file looks like::

    vocabulary: service_types
    version: 1
    source: "https://..."
    terms:
      - code: akutt
        label: {nb: Akuttbehandling, en: Acute care}
        level: 4            # any further keys become Term.attributes
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tsbkart.yaml_schema import validate

LANGUAGES = ("nb", "en")
_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class VocabularyError(ValueError):
    """A vocabulary file is malformed; the message names the file and the term."""


@dataclass(frozen=True, slots=True)
class Term:
    code: str
    label: Mapping[str, str]
    attributes: Mapping[str, Any] = field(default_factory=dict)

    def label_in(self, language: str) -> str:
        return self.label.get(language) or self.label["nb"]

    def get(self, key: str, default: Any = None) -> Any:
        return self.attributes.get(key, default)


@dataclass(frozen=True, slots=True)
class Vocabulary:
    name: str
    version: int
    source: str
    terms: tuple[Term, ...]

    def __iter__(self) -> Iterator[Term]:
        return iter(self.terms)

    def __contains__(self, code: object) -> bool:
        return any(t.code == code for t in self.terms)

    def __getitem__(self, code: str) -> Term:
        for term in self.terms:
            if term.code == code:
                return term
        raise KeyError(f"{code!r} is not a code in vocabulary {self.name!r}")

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(t.code for t in self.terms)

    def label(self, code: str, language: str = "nb") -> str:
        return self[code].label_in(language)


@dataclass(frozen=True, slots=True)
class Vocabularies:
    """All vocabularies by name, e.g. ``vocabs["service_types"]["akutt"].label_in("en")``."""

    by_name: Mapping[str, Vocabulary]

    def __getitem__(self, name: str) -> Vocabulary:
        return self.by_name[name]

    def __iter__(self) -> Iterator[Vocabulary]:
        return iter(self.by_name.values())


class _TermModel(BaseModel):
    """One term as written in the file; keys other than ``code`` and ``label`` become its attributes."""

    model_config = ConfigDict(extra="allow")

    code: str = Field(pattern=_CODE.pattern)
    label: dict[str, str]

    @field_validator("label", mode="before")
    @classmethod
    def _both_languages(cls, label: Any) -> Any:
        if not isinstance(label, dict) or any(not str(label.get(lang) or "").strip() for lang in LANGUAGES):
            raise ValueError(f"label needs non-empty {' and '.join(LANGUAGES)}")
        if set(label) != set(LANGUAGES):
            # An unquoted comma in a YAML flow mapping splits a label into extra keys: catch it here.
            raise ValueError(f"label has keys {sorted(label)}; quote labels with commas")
        return label


class _VocabularyModel(BaseModel):
    model_config = ConfigDict(extra="forbid")

    vocabulary: str = Field(pattern=_CODE.pattern)
    version: int
    source: str = ""
    terms: list[_TermModel]

    @model_validator(mode="after")
    def _unique_codes(self) -> _VocabularyModel:
        seen: set[str] = set()
        for term in self.terms:
            if term.code in seen:
                raise ValueError(f"duplicate code {term.code!r}")
            seen.add(term.code)
        return self


def parse_vocabulary(document: Any, origin: str) -> Vocabulary:
    """Validate one parsed YAML document (pydantic); ``origin`` names the file in error messages."""
    model = validate(_VocabularyModel, document, origin, VocabularyError)
    return Vocabulary(
        name=model.vocabulary,
        version=model.version,
        source=model.source,
        terms=tuple(
            Term(code=t.code, label=dict(t.label), attributes=dict(t.model_extra or {})) for t in model.terms
        ),
    )


def load_directory(directory: Path) -> Vocabularies:
    by_name: dict[str, Vocabulary] = {}
    for path in sorted(directory.glob("*.yaml")):
        with path.open(encoding="utf-8") as handle:
            vocabulary = parse_vocabulary(yaml.safe_load(handle), path.name)
        if vocabulary.name != path.stem:
            raise VocabularyError(
                f"{path.name}: vocabulary name {vocabulary.name!r} must equal the file name"
            )
        by_name[vocabulary.name] = vocabulary
    return Vocabularies(by_name=by_name)


@cache
def load_vocabularies() -> Vocabularies:
    """The bundled vocabularies, loaded and validated once per process."""
    return load_directory(Path(str(resources.files("tsbkart.vocab") / "data")))
