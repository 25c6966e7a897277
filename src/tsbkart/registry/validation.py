"""Validation of registry records: vocabulary codes, Norwegian identifiers, ranges and references.

Every problem is collected (never stop at the first), so an import can report all bad rows at once::

    Problem(kind="offer", id="x/akutt", field="service_type", message="'akut' is not a service type")

The rules that hold for every kind are here; each kind lists its own in ``tsbkart.registry.kinds``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass

from tsbkart.domain.entities import RegistryRecord
from tsbkart.domain.identifiers import validate_her_id, validate_orgnr, validate_resh_id
from tsbkart.registry.checks import Add, Codes
from tsbkart.registry.kinds import GEOGRAPHY, KINDS, RecordKind
from tsbkart.vocab import Vocabularies, load_vocabularies


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str
    id: str
    field: str
    message: str


class ValidationFailed(ValueError):
    """Raised with every problem found; nothing has been written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s); first: {problems[0].field}: {problems[0].message}")


@dataclass(frozen=True, slots=True)
class KnownIds:
    """Ids a record may refer to, by reference target (a kind name or a ``GEOGRAPHY`` name): existing ones
    plus those in the same batch. A target left out, or None, is not checked (e.g. geography not loaded)::

        KnownIds({"organisation": {"ous"}, "unit": {"ous-rusakutt"}, "team": set(), "catchment": {"ous"}})
    """

    ids: Mapping[str, Collection[str] | None]

    def allows(self, target: str, value: str) -> bool:
        known = self.ids.get(target)
        return known is None or value in known


_CODE_SETS: dict[int, tuple[Vocabularies, Codes]] = {}


def _code_sets(vocabs: Vocabularies) -> Codes:
    # Checked for every record and field: build the code sets once per loaded Vocabularies object (kept alive
    # in the cache entry, so its id cannot be reused by another object).
    entry = _CODE_SETS.get(id(vocabs))
    if entry is None:
        entry = _CODE_SETS[id(vocabs)] = (
            vocabs,
            {name: frozenset(vocabs[name].codes) for name in vocabs.by_name},
        )
    return entry[1]


_IDENTIFIER_CHECKS: Mapping[str, Callable[[str], str]] = {
    "orgnr": validate_orgnr,
    "resh_id": validate_resh_id,
    "her_id": validate_her_id,
}


def _check_identifiers(record: RegistryRecord, add: Add) -> None:
    for name, check in _IDENTIFIER_CHECKS.items():
        value = getattr(record, name, None)
        if value is None:
            continue
        try:
            check(value)
        except ValueError as error:
            add(name, str(error))


def _check_references(record: RegistryRecord, kind: RecordKind, known: KnownIds, add: Add) -> None:
    for name, target in kind.references.items():
        value = getattr(record, name)
        if value is None or known.allows(target, value):
            continue
        if target in GEOGRAPHY:
            add(name, f"{value!r} is not a known {GEOGRAPHY[target]}")
        else:
            add(name, f"{KINDS[target].label} {value!r} does not exist")


def validate_records(
    records: Iterable[RegistryRecord], known: KnownIds, vocabs: Vocabularies | None = None
) -> list[Problem]:
    """All problems of ``records`` (empty list = valid)."""
    codes = _code_sets(vocabs or load_vocabularies())
    problems: list[Problem] = []
    for record in records:
        kind = KINDS.of(record)

        def add(field: str, message: str, _kind: str = kind.name, _id: str = record.id) -> None:
            problems.append(Problem(_kind, _id, field, message))

        if not record.id or not record.id.strip():
            add("id", "id must not be empty")
        name = getattr(record, "name", None)
        if isinstance(name, str) and not name.strip():
            add("name", "name must not be empty")
        if not record.provenance.source.strip():
            add("source", "every record needs a source (URL or document)")
        _check_identifiers(record, add)
        _check_references(record, kind, known, add)
        for check in kind.checks:
            check(record, add, codes)
    return problems
