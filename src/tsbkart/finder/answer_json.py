"""The finder's answer as JSON: the bytes pydantic writes for a :class:`FinderResult`, made from pieces.

    answer_json(snapshot, result) == TypeAdapter(FinderResult).dump_json(result)    # tested, over many profiles

An answer holds up to 75 results of about 2.7 KB each, and most of every result is the same on every search:
the offer's own fields (name, organisation, phone, source, ...), its reasons (shared objects, see
:func:`tsbkart.finder.reasons.reason`) and its routing (one per team and service type). pydantic writes all of
it again on every answer; here each offer's fixed fields are written once per snapshot, as the byte runs
between the fields a search fills in (:data:`tsbkart.finder.search.PER_SEARCH_FIELDS`), and each reason once
per process. A search's answer is then those runs joined with its own values. Every piece is written by
pydantic itself (the field's own type), so the bytes are pydantic's: the field order and the ``"name":value``
form of a model without aliases or exclusions are all this module adds. The rest of the answer (deadline,
home, groups, ...) is written field by field with pydantic as usual.

One offer's template (its fixed fields, ``%s`` for the per-search ones), filled in with ``template % values``::

    b'{"rank":%s,"offer_id":"x/poliklinikk",...,"in_home_catchment":%s,"distance_km":%s,...,"routing":%s}'
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, TypeAdapter

from tsbkart.finder.reasons import Reason
from tsbkart.finder.search import PER_SEARCH_FIELDS, FinderResult, RankedOffer
from tsbkart.registry.snapshot import RegistrySnapshot

# Bounds on the process-wide memos (entries): past them a memo starts again, so odd traffic cannot grow it.
_VALUES_MAX = 65_536
_REASONS_MAX = 16_384


def _adapters(model: type[BaseModel]) -> dict[str, TypeAdapter[Any]]:
    """Each field's serialiser: the field's own type (every field of these models is annotated)."""
    return {name: TypeAdapter(field.annotation or Any) for name, field in model.model_fields.items()}


def _keys(model: type[BaseModel]) -> dict[str, bytes]:
    return {name: TypeAdapter(str).dump_json(name) + b":" for name in model.model_fields}


_OFFER_ADAPTERS = _adapters(RankedOffer)
_REASON = TypeAdapter(Reason)
_OFFER_KEYS = _keys(RankedOffer)
_TOP_ADAPTERS = _adapters(FinderResult)
_TOP_KEYS = _keys(FinderResult)
# The per-search fields that are plain values, then the two that are models (shared objects, memoised by
# identity), which must come last and in this order: _results writes them so.
_SCALARS = tuple(
    n for n in RankedOffer.model_fields if n in PER_SEARCH_FIELDS and n not in ("reasons", "routing")
)
if [n for n in RankedOffer.model_fields if n in PER_SEARCH_FIELDS] != [*_SCALARS, "reasons", "routing"]:
    raise ImportError("RankedOffer's per-search fields must end with reasons, then routing (answer_json)")
_values: dict[tuple[str, type, object], bytes] = {}
_reasons: dict[int, tuple[Reason, bytes]] = {}


def answer_json(snapshot: RegistrySnapshot, result: FinderResult) -> bytes:
    """``result`` as JSON, byte for byte what ``TypeAdapter(FinderResult).dump_json(result)`` writes.
    ``result`` comes from :func:`tsbkart.finder.search.find` on ``snapshot`` (its offers' fixed fields are
    those of ``snapshot``)."""
    parts = [b"{"]
    for number, name in enumerate(FinderResult.model_fields):
        parts.append(b"," + _TOP_KEYS[name] if number else _TOP_KEYS[name])
        if name == "results":
            parts.append(_results(snapshot, result.results))
        else:
            parts.append(_TOP_ADAPTERS[name].dump_json(getattr(result, name)))
    parts.append(b"}")
    return b"".join(parts)


def _results(snapshot: RegistrySnapshot, results: list[RankedOffer]) -> bytes:
    memo: dict[str, bytes] = snapshot.derived("finder.answer_json", _new_memo)
    routings: dict[int, bytes] = {}  # this answer's routings (alive while it is written, so ids are stable)
    written = []
    for offer in results:
        template = memo.get(offer.offer_id)
        if template is None:
            template = memo[offer.offer_id] = _template(offer)
        values = offer.__dict__
        routing = routings.get(id(offer.routing))
        if routing is None:
            routing = routings[id(offer.routing)] = _OFFER_ADAPTERS["routing"].dump_json(offer.routing)
        scalars = [_value(name, values[name]) for name in _SCALARS]
        scalars.append(b"[" + b",".join(map(_reason, values["reasons"])) + b"]")
        scalars.append(routing)
        # One formatting operation per result: the offer's template with this search's values.
        written.append(template % tuple(scalars))
    return b"[" + b",".join(written) + b"]"


def _new_memo(_: RegistrySnapshot) -> dict[str, bytes]:
    return {}


def _template(offer: RankedOffer) -> bytes:
    """``offer``'s JSON with ``%s`` for each per-search field (its own ``%`` doubled), for ``template % values``."""
    template = b"{"
    for number, name in enumerate(RankedOffer.model_fields):
        template += b"," + _OFFER_KEYS[name] if number else _OFFER_KEYS[name]
        if name in PER_SEARCH_FIELDS:
            template += b"%s"
        else:
            template += _OFFER_ADAPTERS[name].dump_json(getattr(offer, name)).replace(b"%", b"%%")
    return template + b"}"


def _value(name: str, value: object) -> bytes:
    # The value's type is in the key: 1 and 1.0 are equal keys but may be written differently.
    key = (name, type(value), value)
    try:
        return _values[key]
    except KeyError:
        if len(_values) >= _VALUES_MAX:
            _values.clear()
        found = _values[key] = _OFFER_ADAPTERS[name].dump_json(value)
        return found


def _reason(reason: Reason) -> bytes:
    # Reasons are shared, read-only objects (reasons.reason); the entry holds the object, so its id stays its own.
    found = _reasons.get(id(reason))
    if found is None or found[0] is not reason:  # (a new object at a freed one's address)
        if len(_reasons) >= _REASONS_MAX:
            _reasons.clear()
        found = _reasons[id(reason)] = (reason, _REASON.dump_json(reason))
    return found[1]
