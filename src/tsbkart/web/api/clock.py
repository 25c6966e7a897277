"""When each revision was committed, for ``Last-Modified``. Revisions never change, so each is read once."""

from __future__ import annotations

from datetime import UTC, datetime
from threading import Lock

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tsbkart.db.models import RevisionRow
from tsbkart.registry.store import as_utc


class RevisionClock:
    """``created_at(revision)``: the commit time of a revision (UTC), cached; None for revision 0."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._lock = Lock()
        self._times: dict[int, datetime | None] = {}

    def created_at(self, revision: int) -> datetime | None:
        if revision <= 0:
            return None
        with self._lock:
            if revision in self._times:
                return self._times[revision]
        with Session(self._engine) as session:
            value = session.scalar(select(RevisionRow.created_at).where(RevisionRow.id == revision))
        # SQLite gives naive UTC, PostgreSQL an aware time in the session's zone: normalise both to UTC.
        moment = as_utc(value).astimezone(UTC) if value is not None else None
        with self._lock:
            self._times[revision] = moment
        return moment
