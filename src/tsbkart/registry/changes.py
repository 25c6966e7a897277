"""What a write asks for: upsert a record, or delete one, each optionally based on a version.

``based_on`` is the version (``tsbkart.registry.versions``) the writer read before editing: the write is
refused with a ``Conflict`` if the record has changed since. ``ABSENT`` (0) means "this record must not exist
yet"; ``None`` means "whatever is current", for writers that merge against the state they read inside their own
write transaction (the importer) or replace it wholesale (the reference loader)::

    Upsert(unit, based_on=snapshot.version("unit", unit.id))
    Upsert(new_unit, based_on=ABSENT)
    Delete("offer", "x/akutt", based_on=12)
"""

from __future__ import annotations

from dataclasses import dataclass

from tsbkart.domain.entities import RegistryRecord

ABSENT = 0  # the version of a record that does not exist (revision ids start at 1)


@dataclass(frozen=True, slots=True)
class Upsert:
    record: RegistryRecord
    based_on: int | None = None


@dataclass(frozen=True, slots=True)
class Delete:
    kind: str
    id: str
    based_on: int | None = None


Change = Upsert | Delete
