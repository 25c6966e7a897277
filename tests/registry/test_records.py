"""Flat JSON form of records: the shape the tables and the change log hold."""

from __future__ import annotations

from dataclasses import fields
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.registry import factories as f
from tsbkart.domain.entities import Provenance, RegistryRecord
from tsbkart.registry.kinds import KINDS
from tsbkart.registry.records import PROVENANCE_KEYS, ProvenanceKey, from_json, from_json_many, to_json
from tsbkart.registry.snapshot import RegistrySnapshot


def test_every_bundled_record_round_trips(bundled_snapshot: RegistrySnapshot) -> None:
    shared: dict[ProvenanceKey, Provenance] = {}
    for kind in KINDS.names():
        for record in bundled_snapshot.records(kind).values():
            assert from_json(kind, to_json(record)) == from_json(kind, to_json(record), shared) == record
    assert 0 < len(shared) < sum(len(bundled_snapshot.records(k)) for k in KINDS.names())


def test_records_of_one_import_share_one_provenance_per_source() -> None:
    shared: dict[ProvenanceKey, Provenance] = {}
    first = from_json("offer", to_json(f.offer("a")), shared)
    second = from_json("offer", to_json(f.offer("b")), shared)
    assert first.provenance is second.provenance


def test_unknown_keys_and_a_missing_source_are_errors() -> None:
    data = to_json(f.unit())
    with pytest.raises(ValueError, match="unknown fields: \\['colour'\\]"):
        from_json("unit", data | {"colour": "red"})
    with pytest.raises(ValueError, match="no source"):
        from_json("unit", {k: v for k, v in data.items() if k != "source"})


def test_keys_follow_field_order_with_provenance_expanded_in_place() -> None:
    record = f.offer()
    names = [x.name for x in fields(record)]
    at = names.index("provenance")
    assert list(to_json(record)) == [*names[:at], *PROVENANCE_KEYS, *names[at + 1 :]]


def test_dates_are_iso_tuples_are_lists_and_field_provenance_is_sorted() -> None:
    p = Provenance("https://example.org/b", date(2026, 2, 1), "steward", "note")
    record = f.offer(
        target_groups=("adults", "rop"),
        waiting_weeks=3.5,
        waiting_as_of=date(2026, 3, 4),
        field_provenance={"beds": p, "age_min": Provenance("doc")},
    )
    data = to_json(record)
    assert data["target_groups"] == ["adults", "rop"] and data["languages"] == []
    assert data["waiting_as_of"] == "2026-03-04" and data["verified"] == "2026-01-15"
    assert list(data["field_provenance"]) == ["age_min", "beds"]
    assert data["field_provenance"]["beds"] == {
        "source": "https://example.org/b",
        "verified": "2026-02-01",
        "steward": "steward",
        "note": "note",
    }
    assert from_json("offer", data) == record


@given(
    beds=st.none() | st.integers(0, 500),
    weeks=st.none() | st.floats(0, 60, allow_nan=False),
    groups=st.lists(st.sampled_from(["adults", "rop", "young"]), max_size=3, unique=True),
    verified=st.none() | st.dates(),
    note=st.none() | st.text(max_size=5),
)
def test_offers_round_trip(
    beds: int | None, weeks: float | None, groups: list[str], verified: date | None, note: str | None
) -> None:
    record: RegistryRecord = f.offer(
        beds=beds,
        waiting_weeks=weeks,
        waiting_as_of=date(2026, 1, 1) if weeks is not None else None,
        target_groups=tuple(groups),
        provenance=Provenance("s", verified, None, note),
    )
    assert from_json("offer", to_json(record)) == record


# Flat JSON as an import gives it: some columns left out, some dates and codes bad, keys the schema lacks.
_OFFER_JSON = st.fixed_dictionaries(
    {"id": st.sampled_from(["u/a", "u/b"]), "unit_id": st.just("u"), "service_type": st.just("akutt")},
    optional={
        "source": st.sampled_from(["s", "t"]),
        "verified": st.sampled_from([None, "2026-01-02", "2026-13-01"]),
        "steward": st.sampled_from([None, "x"]),
        "target_groups": st.lists(st.sampled_from(["adults", "rop"]), max_size=2),
        "waiting_as_of": st.sampled_from([None, "2026-03-04", "bad"]),
        "beds": st.none() | st.integers(0, 3),
        "field_provenance": st.sampled_from([{}, {"beds": {"source": "d"}}]),
        "colour": st.just("red"),
    },
)


def _one_by_one(kind: str, batch: list[dict[str, object]]) -> list[RegistryRecord] | str:
    try:
        return [from_json(kind, data) for data in batch]
    except (TypeError, ValueError) as error:
        return f"{type(error).__name__}: {error}"


@given(st.lists(_OFFER_JSON, max_size=6), st.booleans())
def test_from_json_many_is_from_json_for_each(batch: list[dict[str, object]], same_keys: bool) -> None:
    if same_keys:  # the common case, an import's one sheet: every dict with the first one's keys
        batch = [d for d in batch if d.keys() == batch[0].keys()]
    shared: dict[ProvenanceKey, Provenance] = {}
    try:
        many: list[RegistryRecord] | str = from_json_many("offer", batch, shared)
    except (TypeError, ValueError) as error:
        many = f"{type(error).__name__}: {error}"
    assert many == _one_by_one("offer", batch)
    if not isinstance(many, str):
        assert len({id(r.provenance) for r in many}) == len({r.provenance for r in many})


def test_from_json_many_makes_every_kind_as_its_class_does(bundled_snapshot: RegistrySnapshot) -> None:
    for kind in KINDS.names():
        records = [r for r in bundled_snapshot.records(kind).values() if not r.field_provenance]
        batch = [{k: v for k, v in to_json(r).items() if k != "field_provenance"} for r in records]
        assert records and from_json_many(kind, batch) == records
