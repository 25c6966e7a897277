"""Record versions, their HTTP ETags, and the conflict a stale write gets.

A record's version is the id of the revision that last wrote it (``ABSENT`` = 0 when there is none), so it
only grows, and ``snapshot.version(kind, id)`` is what a writer states as ``based_on``. The stewardship write
API sends it as an ``If-Match`` ETag::

    etag(12)                       # '"v12"'
    version_of_etag('"v12"')       # 12; a weak (W/"v12") or foreign tag gives None
    Conflict([StaleRecord("unit", "ous-rusakutt", based_on=12, current=15)])
      # "unit 'ous-rusakutt' has changed since version 12 (now version 15); ..."

A ``Conflict`` is a ``UserError`` with status 409, so the web layer's one error handler answers it; a write
route whose version came from ``If-Match`` answers 412 Precondition Failed instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tsbkart.domain.errors import UserError
from tsbkart.registry.changes import ABSENT

_ETAG = re.compile(r'"v(\d+)"')


def etag(version: int) -> str:
    """The strong ETag of a record at ``version``."""
    return f'"v{version}"'


def version_of_etag(value: str) -> int | None:
    """The version an ``If-Match`` ETag names, or None when it names none of ours (weak tags never match)."""
    match = _ETAG.fullmatch(value.strip())
    return int(match.group(1)) if match else None


@dataclass(frozen=True, slots=True)
class StaleRecord:
    """A record a write was based on that is no longer at that version."""

    kind: str
    id: str
    based_on: int  # the version the writer read; ABSENT = expected not to exist
    current: int  # the version in the database now; ABSENT = it does not exist (any more)

    @property
    def message(self) -> str:
        name = f"{self.kind} {self.id!r}"
        if self.based_on == ABSENT:
            return f"{name} already exists (version {self.current}); it was created by someone else"
        if self.current == ABSENT:
            return f"{name} has been deleted since version {self.based_on}"
        return f"{name} has changed since version {self.based_on} (now version {self.current})"


class Conflict(UserError):
    """A write was based on versions that are no longer current; nothing was written.

    ``records`` names every stale record; re-read them, redo the edit on the current version, write again.
    """

    status = 409

    def __init__(self, records: Sequence[StaleRecord]) -> None:
        self.records = tuple(records)
        first = self.records[0].message
        more = f" (and {len(self.records) - 1} more)" if len(self.records) > 1 else ""
        super().__init__(f"{first}{more}; nothing was written: reload it and apply your change again")
