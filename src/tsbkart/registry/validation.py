"""Validation of registry records: vocabulary codes, Norwegian identifiers, ranges and references.

Every problem is collected (never stop at the first), so an import can report all bad rows at once::

    Problem(kind="offer", id="x/akutt", field="service_type",
            message="'akut' is not a code of the vocabulary service_types")

The rules that hold for every kind are here, most of them read from the field declarations
(``tsbkart.domain.schema``: vocabulary, choices, check, minimum); each kind lists its own further rules in
``tsbkart.registry.kinds``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import chain
from operator import attrgetter
from typing import Any

from tsbkart.domain.calendar import today as norway_today
from tsbkart.domain.entities import RegistryRecord
from tsbkart.domain.messages import Message
from tsbkart.domain.schema import RecordSchema, schema_of
from tsbkart.registry.checks import Add, Codes
from tsbkart.registry.content import check_content
from tsbkart.registry.kinds import GEOGRAPHY, KINDS, RecordKind
from tsbkart.vocab import Vocabularies, load_vocabularies

Say = Callable[[str, Message], None]  # report a problem of a field as a translatable message


@dataclass(frozen=True, slots=True)
class Problem:
    kind: str
    id: str
    field: str
    message: str  # English
    text: Message | None = None  # the same, for translation, where the rule gives one


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


@dataclass(frozen=True, slots=True)
class _FieldRules:
    """The fields of one record class that a declaration constrains, worked out once per class: a 100,000-row
    import checks every record, and most fields have no rule."""

    coded: tuple[tuple[str, str, bool], ...]  # (field, vocabulary, is a tuple)
    choices: tuple[tuple[str, frozenset[str], str], ...]  # (field, allowed, allowed as text)
    minimums: tuple[tuple[str, float], ...]
    checks: tuple[tuple[str, Callable[[Any], object], bool], ...]  # (field, check, is a tuple)


_RULES: dict[type[Any], _FieldRules] = {}


def _rules(schema: RecordSchema) -> _FieldRules:
    rules = _RULES.get(schema.cls)
    if rules is None:
        fields = schema.fields
        rules = _RULES[schema.cls] = _FieldRules(
            coded=tuple((f.name, f.vocabulary, f.is_tuple) for f in fields if f.vocabulary is not None),
            choices=tuple((f.name, frozenset(f.choices), ", ".join(f.choices)) for f in fields if f.choices),
            minimums=tuple((f.name, f.minimum) for f in fields if f.minimum is not None),
            checks=tuple((f.name, f.check, f.is_tuple) for f in fields if f.check is not None),
        )
    return rules


def _check_fields(record: RegistryRecord, schema: RecordSchema, codes: Codes, add: Add, say: Say) -> None:
    """What the field declarations say: vocabulary codes, fixed choices, identifier checks, minimums."""
    rules = _rules(schema)
    for name, vocabulary, many in rules.coded:
        value = getattr(record, name)
        allowed = codes[vocabulary]
        if many:
            if not allowed.issuperset(value):
                for code in (v for v in value if v not in allowed):
                    say(
                        name,
                        Message(
                            "{value} is not a code of the vocabulary {vocabulary}",
                            value=repr(code),
                            vocabulary=vocabulary,
                        ),
                    )
        elif value is not None and value not in allowed:
            say(
                name,
                Message(
                    "{value} is not a code of the vocabulary {vocabulary}",
                    value=repr(value),
                    vocabulary=vocabulary,
                ),
            )
    for name, allowed, text in rules.choices:
        value = getattr(record, name)
        if value is not None and value not in allowed:
            say(name, Message("{value} is not one of {choices}", value=repr(value), choices=text))
    for name, minimum in rules.minimums:
        value = getattr(record, name)
        if value is not None and value < minimum:
            if minimum == 0:
                say(name, Message("{field} must not be negative", field=name))
            else:
                say(name, Message("{field} must be at least {minimum}", field=name, minimum=minimum))
    for name, check, many in rules.checks:
        value = getattr(record, name)
        if value is not None:
            _run_check(check, name, value if many else (value,), add)


def _run_check(check: Callable[[Any], object], name: str, values: Iterable[Any], add: Add) -> None:
    for value in values:
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
    records: Iterable[RegistryRecord],
    known: KnownIds,
    vocabs: Vocabularies | None = None,
    today: date | None = None,
) -> list[Problem]:
    """All problems of ``records`` (empty list = valid). ``today`` (default: today in Norway) bounds dates
    such as ``verified``; the content rules (ids, hidden characters, web addresses) are in ``content.py``.

    Problems come record by record, in the order given, then the content problems kind by kind.
    """
    codes = _code_sets(vocabs or load_vocabularies())
    listed = list(records)
    by_class: dict[type[Any], list[RegistryRecord]] = {}
    for record in listed:
        by_class.setdefault(type(record), []).append(record)
    kinds = {cls: KINDS.of(group[0]) for cls, group in by_class.items()}
    # Most batches are valid: a kind whose records all pass the column-wise screen needs no record-by-record pass.
    doubtful = {
        cls for cls, group in by_class.items() if not _screened_clean(group, kinds[cls], codes, known)
    }
    problems: list[Problem] = []
    for record in listed:
        if type(record) in doubtful:
            _check_record(record, kinds[type(record)], codes, known, problems)

    def report(record: Any, field: str, text: Message) -> None:
        problems.append(Problem(KINDS.of(record).name, record.id, field, str(text), text))

    day = today or norway_today()
    for group in by_class.values():
        check_content(group, day, report)
    return problems


def _check_record(
    record: RegistryRecord, kind: RecordKind, codes: Codes, known: KnownIds, problems: list[Problem]
) -> None:
    """Every per-record rule, each problem appended as it is found."""

    def add(field: str, message: str) -> None:
        problems.append(Problem(kind.name, record.id, field, message))

    def say(field: str, text: Message) -> None:
        problems.append(Problem(kind.name, record.id, field, str(text), text))

    if not record.id or not record.id.strip():
        add("id", "id must not be empty")
    name = getattr(record, "name", None)
    if isinstance(name, str) and not name.strip():
        add("name", "name must not be empty")
    if not record.provenance.source.strip():
        add("source", "every record needs a source (URL or document)")
    _check_fields(record, schema_of(kind.cls), codes, add, say)
    _check_references(record, kind, known, add)
    for check in kind.checks:
        check(record, add, codes)


def _screened_clean(
    records: Sequence[RegistryRecord], kind: RecordKind, codes: Codes, known: KnownIds
) -> bool:
    """True when ``_check_record`` finds nothing in any of ``records`` (all of ``kind``), found a column at a time.

    Each distinct value of a field is checked once: a 100,000-row import repeats its codes, units and sources.
    False means "look record by record" (a problem, or a value the screen does not expect): that pass then
    reports, or raises, exactly what it always did.
    """
    try:
        return (
            _basics_clean(records)
            and _fields_clean(records, _rules(schema_of(kind.cls)), codes)
            and _references_clean(records, kind, known)
            and _kind_checks_clean(records, kind, codes)
        )
    except Exception:  # see the docstring: the record-by-record pass decides
        return False


def _distinct(records: Sequence[RegistryRecord], name: str) -> set[Any]:
    return set(map(attrgetter(name), records))


def _basics_clean(records: Sequence[RegistryRecord]) -> bool:
    ids = _distinct(records, "id")
    names = {getattr(r, "name", None) for r in records}
    return (
        all(ids)
        and all(map(str.strip, ids))
        and all(n.strip() for n in names if isinstance(n, str))
        and all(map(str.strip, _distinct(records, "provenance.source")))
    )


def _fields_clean(records: Sequence[RegistryRecord], rules: _FieldRules, codes: Codes) -> bool:
    for name, vocabulary, many in rules.coded:
        values = _distinct(records, name)
        if not codes[vocabulary].issuperset(chain.from_iterable(values) if many else values - {None}):
            return False
    for name, allowed, _ in rules.choices:
        if not allowed.issuperset(_distinct(records, name) - {None}):
            return False
    for name, minimum in rules.minimums:
        if any(value < minimum for value in _distinct(records, name) - {None}):
            return False
    for name, check, many in rules.checks:
        present = _distinct(records, name) - {None}
        values = set(chain.from_iterable(present)) if many else present
        if len(set(map(type, values))) > 1:
            return False  # equal values of different types (1 and True) may check differently
        for value in values:
            try:
                check(value)
            except ValueError:
                return False
    return True


def _references_clean(records: Sequence[RegistryRecord], kind: RecordKind, known: KnownIds) -> bool:
    return all(
        known.allows(target, value)
        for name, target in kind.references.items()
        for value in _distinct(records, name) - {None}
    )


def _kind_checks_clean(records: Sequence[RegistryRecord], kind: RecordKind, codes: Codes) -> bool:
    found: list[str] = []

    def flag(field: str, message: str) -> None:
        found.append(field)

    for record in records:
        for check in kind.checks:
            check(record, flag, codes)
        if found:
            return False
    return True
