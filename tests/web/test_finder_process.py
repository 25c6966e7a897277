"""Finder searches in a child process (web/finder_process.py): the same answers as in a thread, following
commits, falling back to a thread while the child cannot answer, and a new child after one dies."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from pydantic import TypeAdapter
from sqlalchemy import Engine

from tests.web.api_client import TestClient, app_for
from tsbkart.db.engine import make_engine
from tsbkart.domain.actors import Actor
from tsbkart.domain.calendar import today
from tsbkart.domain.entities import Organisation, Provenance
from tsbkart.finder.profile import NeedProfile
from tsbkart.finder.search import FinderResult, find
from tsbkart.registry.store import Upsert
from tsbkart.web import finder as finder_routes
from tsbkart.web.finder_process import FinderProcess, shareable

ALTA = {"home_area": "5601", "age": 40, "substances": ["alcohol"]}
BR = {"Accept-Encoding": "br"}


def _until(check: Callable[[], bool], seconds: float = 90.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def _no_thread_search(*_: object) -> tuple[str, bytes]:
    raise AssertionError("searched in a thread of the app's process")


@pytest.fixture
def private_engine(reference_engine: Engine, tmp_path: Path) -> Engine:
    """A copy of the bundled database that a test may commit to (a file: the child opens it too)."""
    path = tmp_path / "tsbkart.sqlite"
    shutil.copy(str(reference_engine.url.database), path)
    return make_engine(f"sqlite:///{path}")


def test_the_child_answers_as_a_thread_would_and_follows_commits(
    private_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, registry = app_for(private_engine, finder_process=True)
    searcher: FinderProcess = app.state.finder_process
    with TestClient(app) as client:
        _until(lambda: searcher.ready)
        # Patched in this process only: an answer now comes from the child.
        monkeypatch.setattr(finder_routes, "_finder_json", _no_thread_search)
        response = client.post("/api/v1/finder", json={"profile": ALTA}, headers=BR)
        assert response.status_code == 200 and response.headers["content-encoding"] == "br"
        expected = find(registry.snapshot(), NeedProfile(**ALTA), today=today())
        assert response.content == TypeAdapter(FinderResult).dump_json(expected)
        metrics = client.get("/metrics").text
        assert 'tsbkart_finder_searches_total{where="process"} 1.0' in metrics

        registry.commit(
            [Upsert(Organisation("org-x", "Org", "hf", Provenance(source="test")))],
            actor=Actor.cli("t"),
            reason="t",
        )
        revision = registry.snapshot().revision
        monkeypatch.undo()
        # The child still holds the old revision: this search runs in a thread, the child takes the new one.
        first = client.post("/api/v1/finder", json={"profile": ALTA}).json()
        assert first["snapshot_revision"] == revision
        monkeypatch.setattr(finder_routes, "_finder_json", _no_thread_search)

        def child_answers() -> bool:
            try:
                answer = client.post("/api/v1/finder", json={"profile": ALTA})
            except AssertionError:
                return False  # not yet: the child answered None and the patched thread search refused
            return answer.status_code == 200 and answer.json()["snapshot_revision"] == revision

        _until(child_answers)


def test_a_refused_profile_gets_the_threads_message_and_a_dead_child_is_replaced(
    private_engine: Engine,
) -> None:
    app, _ = app_for(private_engine, finder_process=True)
    searcher: FinderProcess = app.state.finder_process
    with TestClient(app) as client:
        _until(lambda: searcher.ready)
        bad = client.post("/api/v1/finder", json={"profile": ALTA | {"home_area": "9999"}})
        assert bad.status_code == 422 and "home_area" in bad.text

        pool = searcher._pool
        assert pool is not None
        for pid in searcher.pids:
            os.kill(pid, signal.SIGKILL)
        # The search that finds the child dead runs in a thread; a new child starts meanwhile.
        _until(lambda: client.post("/api/v1/finder", json={"profile": ALTA}).status_code == 200)
        _until(lambda: searcher.ready and searcher._pool is not pool)
        assert client.post("/api/v1/finder", json={"profile": ALTA}).status_code == 200


def test_no_child_for_an_in_memory_database_or_when_turned_off(reference_engine: Engine) -> None:
    assert not shareable("sqlite://") and not shareable("sqlite:///:memory:")
    assert shareable("sqlite:////tmp/x.sqlite") and shareable("postgresql+psycopg://u@127.0.0.1/db")
    app, _ = app_for(reference_engine, finder_process=False)
    assert app.state.finder_process is None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child that ended but is not yet reaped is a zombie: gone for this purpose.
    return Path(f"/proc/{pid}/stat").read_text().split(")")[1].split()[0] != "Z"


def test_no_finder_process_outlives_the_app(private_engine: Engine) -> None:
    app, _ = app_for(private_engine, finder_process=True)
    searcher: FinderProcess = app.state.finder_process
    with TestClient(app):
        _until(lambda: searcher.ready)
        pids = searcher.pids
        assert pids and all(map(_alive, pids))
    _until(lambda: not any(map(_alive, pids)), seconds=10)


def test_the_child_ends_when_its_app_process_is_killed(private_engine: Engine, tmp_path: Path) -> None:
    # An app killed without a shutdown (SIGKILL, out of memory) cannot stop its child: the child notices.
    script = tmp_path / "app.py"
    script.write_text(
        "import sys, time\n"
        "from tsbkart.web.finder_process import FinderProcess\n"
        "if __name__ == '__main__':  # spawn imports this module again in the child\n"
        "    searcher = FinderProcess(sys.argv[1])\n"
        "    searcher.start()\n"
        "    while not searcher.ready:\n"
        "        time.sleep(0.1)\n"
        "    print(searcher.pids[0], flush=True)\n"
        "    time.sleep(600)\n"
    )
    with subprocess.Popen(
        [sys.executable, str(script), str(private_engine.url)], stdout=subprocess.PIPE, text=True
    ) as app:
        try:
            assert app.stdout is not None
            child = int(app.stdout.readline())  # the app prints it once the child is ready
            assert _alive(child)
            app.kill()
            app.wait(timeout=10)
            _until(lambda: not _alive(child), seconds=15)
        finally:
            app.kill()
