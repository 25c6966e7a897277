"""Follow revisions committed by any process (another app worker, another machine, the CLI).

Every process holds its own snapshot, so each must learn of commits made elsewhere. A follower thread checks
the latest revision id every ``check_seconds`` (one indexed ``max(id)``, cheap on SQLite and PostgreSQL);
on PostgreSQL it also ``LISTEN``s on :data:`CHANNEL`, which ``Registry.commit`` notifies inside the committing
transaction, so a commit reaches the other processes at once rather than at the next check.

The follower never raises: a failed check marks the database unreachable (``health().reachable``) and is
retried; ``health().confirmed_at`` says when the snapshot was last known to be current, which is what bounds
how stale a process may be (``web/state.py`` refuses reads beyond that bound).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from tsbkart.db.models import RevisionRow

CHANNEL = "tsbkart_revision"
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FollowerHealth:
    """``confirmed_at``: monotonic time of the last successful check (None before the first)."""

    reachable: bool
    confirmed_at: float | None
    error: str | None


def latest_revision(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.coalesce(func.max(RevisionRow.id), 0))) or 0)


class RevisionFollower:
    """Calls ``on_revision(latest)`` from its own thread whenever the latest revision id differs from the last
    one it reported (the first check always reports). ``start()``/``stop()`` bracket the thread."""

    def __init__(
        self,
        engine: Engine,
        on_revision: Callable[[int], None],
        check_seconds: float = 0.5,
    ) -> None:
        self.engine = engine
        self.on_revision = on_revision
        self.check_seconds = check_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._known: int | None = None
        self._health = FollowerHealth(reachable=True, confirmed_at=None, error=None)
        self._listener: Any = None  # the DBAPI connection LISTENing (PostgreSQL only)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def health(self) -> FollowerHealth:
        return self._health

    def start(self) -> None:
        if self.running:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="revision-follower", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None
        self._close_listener()

    def check(self) -> None:
        """One check: confirm the latest revision and report a change. Raises on a database error."""
        latest = latest_revision(self.engine)
        if latest != self._known:
            self.on_revision(latest)
            self._known = latest
        self._health = FollowerHealth(reachable=True, confirmed_at=time.monotonic(), error=None)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except SQLAlchemyError as error:
                self._failed(error)
            except Exception as error:  # a bug in on_revision must not end following
                log.exception("revision follower: snapshot refresh failed")
                self._failed(error)
            self._wait()

    def _failed(self, error: Exception) -> None:
        first = self._health.reachable
        self._health = FollowerHealth(
            reachable=False, confirmed_at=self._health.confirmed_at, error=type(error).__name__
        )
        self._close_listener()
        if first:
            log.warning("database unreachable: %s", type(error).__name__)

    def _wait(self) -> None:
        """Until the next check is due, or sooner when PostgreSQL notifies a commit."""
        if self.engine.dialect.name != "postgresql" or not self._health.reachable:
            self._stop.wait(self.check_seconds)
            return
        try:
            listener = self._listen()
            for _ in listener.notifies(timeout=self.check_seconds, stop_after=1):
                break
        except Exception as error:  # the next check reports the database's state
            log.debug("LISTEN failed: %s", type(error).__name__)
            self._close_listener()
            self._stop.wait(self.check_seconds)

    def _listen(self) -> Any:
        if self._listener is None:
            raw = self.engine.raw_connection()
            connection = raw.driver_connection
            assert connection is not None
            connection.autocommit = True
            connection.execute(f"LISTEN {CHANNEL}")
            self._listener = raw
        return self._listener.driver_connection

    def _close_listener(self) -> None:
        if self._listener is not None:
            try:
                self._listener.invalidate()
            except Exception:  # already broken; nothing to release
                log.debug("closing the LISTEN connection failed", exc_info=True)
            self._listener = None
