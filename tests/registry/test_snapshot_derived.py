"""``RegistrySnapshot.derived``: one memo per snapshot instead of caches keyed by ``id()``."""

from __future__ import annotations

import dataclasses
import gc
import weakref

from tsbkart.reference.geography import load_geography
from tsbkart.registry.snapshot import RegistrySnapshot


class Built:
    """A value a builder returns (weak-referenceable, to see when it is freed)."""


def test_a_value_is_built_once_per_snapshot_and_key() -> None:
    snapshot = RegistrySnapshot.build(load_geography())
    calls: list[str] = []

    def build(s: RegistrySnapshot) -> Built:
        calls.append("built")
        return Built()

    first = snapshot.derived("k", build)
    assert snapshot.derived("k", build) is first and calls == ["built"]
    assert snapshot.derived(("k", 2), build) is not first and len(calls) == 2
    other = dataclasses.replace(snapshot, revision=5)  # a new snapshot never sees the old one's values
    assert other.derived("k", build) is not first and len(calls) == 3


def test_derived_values_are_freed_with_their_snapshot() -> None:
    snapshot = RegistrySnapshot.build(load_geography())
    value = weakref.ref(snapshot.derived("k", lambda s: Built()))
    assert value() is not None
    del snapshot
    gc.collect()
    assert value() is None
