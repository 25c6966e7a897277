"""Every process follows the others' commits: the follower alone, then real ``tsbkart serve`` processes.

The multi-process tests start two servers over one SQLite file and over one PostgreSQL database, commit
through the store API from the test process (a third process as far as the servers know), and require the
change on both within 2 s. The restart test runs its own PostgreSQL cluster (initdb in a temporary folder,
as the ``postgres`` OS user, on a free port): it never touches a shared server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Organisation, Provenance
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography
from tsbkart.registry.follower import RevisionFollower
from tsbkart.registry.store import Registry, Upsert
from tsbkart.web.local_server import free_port

VISIBLE_WITHIN_S = 2.0
START_TIMEOUT_S = 90.0
TSBKART = str(Path(sys.executable).parent / "tsbkart")


def organisation(n: int) -> Upsert:
    return Upsert(Organisation(f"follow-org-{n}", f"Org {n}", "hf", Provenance(source="test")))


def prepare(engine: Engine) -> None:
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())


# --- the follower on its own ---------------------------------------------------------------------------


def test_follower_reports_each_new_revision_once(engine: Engine) -> None:
    seen: list[int] = []
    follower = RevisionFollower(engine, seen.append, check_seconds=0.05)
    follower.check()
    Registry(engine).commit([organisation(1)], actor=Actor.cli("t"), reason="t")
    follower.check()
    follower.check()
    assert seen == [0, 1]
    assert follower.health().reachable


def test_follower_thread_marks_a_lost_database_and_keeps_going(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    engine = create_engine(f"sqlite:///{folder / 'x.sqlite'}")
    folder.mkdir()
    prepare(engine)
    follower = RevisionFollower(engine, lambda _: None, check_seconds=0.05)
    follower.start()
    try:
        _until(lambda: follower.health().confirmed_at is not None)
        shutil.rmtree(folder)
        engine.dispose()
        _until(lambda: not follower.health().reachable)
        assert follower.running
        assert follower.health().error == "OperationalError"
    finally:
        follower.stop()


def _until(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError("condition not reached")


# --- real server processes -----------------------------------------------------------------------------


class Server:
    def __init__(self, database_url: str, log: Path, **env: str) -> None:
        self.port = free_port()
        self.log = log
        environment = (
            os.environ | {"TSBKART_DATABASE_URL": database_url, "TSBKART_RATE_LIMITS": "false"} | env
        )
        self.output = log.open("wb")
        self.process = subprocess.Popen(
            [TSBKART, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
            env=environment,
            stdout=self.output,
            stderr=subprocess.STDOUT,
        )
        self.url = f"http://127.0.0.1:{self.port}"

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(self.url + "/readyz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"server not ready: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        finally:
            self.output.close()


@contextmanager
def servers(database_url: str, folder: Path, count: int, **env: str) -> Iterator[list[Server]]:
    started = [Server(database_url, folder / f"server-{i}.log", **env) for i in range(count)]
    try:
        for server in started:
            server.wait_ready()
        yield started
    finally:
        for server in started:
            server.stop()


def visible_everywhere(servers_: list[Server], organisation_id: str) -> float:
    """Seconds until every server answers 200 for the organisation (bounded by VISIBLE_WITHIN_S + 3)."""
    started = time.monotonic()
    pending = list(servers_)
    while pending and time.monotonic() - started < VISIBLE_WITHIN_S + 3:
        pending = [
            s
            for s in pending
            if httpx.get(f"{s.url}/api/v1/organisations/{organisation_id}", timeout=5).status_code != 200
        ]
        time.sleep(0.05)
    assert not pending, "the commit never reached every server"
    elapsed = time.monotonic() - started
    print(f"visible on {len(servers_)} server(s) after {elapsed:.2f} s")
    return elapsed


def _two_servers_see_a_commit(engine: Engine, database_url: str, folder: Path) -> None:
    prepare(engine)
    with servers(database_url, folder, 2) as both:
        Registry(engine).commit([organisation(1)], actor=Actor.cli("test"), reason="two processes")
        assert visible_everywhere(both, "follow-org-1") < VISIBLE_WITHIN_S
        Registry(engine).commit([organisation(2)], actor=Actor.cli("test"), reason="two processes")
        assert visible_everywhere(both, "follow-org-2") < VISIBLE_WITHIN_S


@pytest.mark.slow
def test_two_processes_over_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite'}"
    _two_servers_see_a_commit(make_engine(url), url, tmp_path)


@pytest.mark.slow
@pytest.mark.postgres
def test_two_processes_over_one_postgresql_database(postgres_engine: Engine, tmp_path: Path) -> None:
    # The servers use the test's schema through the connection's search_path.
    schema = _schema_of(postgres_engine)
    url = postgres_engine.url.update_query_dict({"options": f"-csearch_path={schema}"})
    _two_servers_see_a_commit(postgres_engine, url.render_as_string(hide_password=False), tmp_path)


def _schema_of(engine: Engine) -> str:
    with engine.connect() as connection:
        return str(connection.execute(text("SELECT current_schema()")).scalar_one())


# --- restarting PostgreSQL under a serving process -----------------------------------------------------


def _postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


class PrivateCluster:
    """A PostgreSQL cluster of the test's own: ``start``/``stop`` restart it without touching any other."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin = bin_dir
        self.dir = Path(tempfile.mkdtemp(prefix="tsbkart-pg-", dir="/tmp"))
        shutil.chown(self.dir, "postgres", "postgres")
        self.port = free_port()
        self._as_postgres(
            [str(bin_dir / "initdb"), "-D", str(self.dir / "data"), "-A", "trust", "-U", "postgres"]
        )

    def _as_postgres(self, command: list[str]) -> None:
        subprocess.run(
            ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(command)],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def start(self) -> None:
        options = f"'-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1'"
        self._as_postgres(
            [
                str(self.bin / "pg_ctl"),
                "-D",
                str(self.dir / "data"),
                "-o",
                options,
                "-l",
                str(self.dir / "log"),
                "-w",
                "start",
            ]
        )

    def stop(self) -> None:
        self._as_postgres(
            [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w", "stop"]
        )

    def url(self, password: str) -> str:
        # Trust authentication ignores the password; it is there to prove the logs never show it.
        return f"postgresql+psycopg://postgres:{password}@127.0.0.1:{self.port}/postgres"

    def remove(self) -> None:
        subprocess.run(
            [
                "su",
                "postgres",
                "-s",
                "/bin/sh",
                "-c",
                f"{self.bin / 'pg_ctl'} -D {self.dir / 'data'} -m immediate stop",
            ],
            capture_output=True,
            timeout=60,
        )
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def private_cluster() -> Iterator[PrivateCluster]:
    bin_dir = _postgres_bin()
    if bin_dir is None or os.geteuid() != 0 or shutil.which("su") is None:
        pytest.skip("needs PostgreSQL's server binaries and root (to run them as the postgres user)")
    cluster = PrivateCluster(bin_dir)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.remove()


PASSWORD = "pw-never-logged-4711"


@pytest.mark.slow
def test_restarting_postgresql_gives_503_then_recovers(
    private_cluster: PrivateCluster, tmp_path: Path
) -> None:
    url = private_cluster.url(PASSWORD)
    engine = create_engine(make_url(url), pool_pre_ping=True)
    prepare(engine)
    env = {"TSBKART_MAX_STALENESS_SECONDS": "2", "TSBKART_REVISION_CHECK_SECONDS": "0.5"}
    with servers(url, tmp_path, 1, **env) as (server,):
        probes = ["/readyz", "/api/v1/units", "/api/v1/units?as_of=2026-01-02", "/", "/healthz"]
        private_cluster.stop()
        engine.dispose()
        statuses: dict[str, set[int]] = {p: set() for p in probes}
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            answers = {p: httpx.get(server.url + p, timeout=10) for p in probes}
            for path, answer in answers.items():
                statuses[path].add(answer.status_code)
                if answer.status_code == 503:
                    assert int(answer.headers["retry-after"]) > 0
            if answers["/api/v1/units"].status_code == 503:
                break
            time.sleep(0.2)
        assert all(500 not in s for s in statuses.values()), statuses
        assert statuses["/readyz"] == {503}
        assert 503 in statuses["/api/v1/units"]
        assert statuses["/api/v1/units?as_of=2026-01-02"] == {503}
        assert statuses["/healthz"] == {200}

        private_cluster.start()
        deadline = time.monotonic() + 60
        while httpx.get(server.url + "/readyz", timeout=10).status_code != 200:
            assert time.monotonic() < deadline, "did not recover after PostgreSQL came back"
            time.sleep(0.2)
        assert httpx.get(server.url + "/api/v1/units", timeout=10).status_code == 200
        Registry(engine).commit([organisation(3)], actor=Actor.cli("test"), reason="after the restart")
        assert visible_everywhere([server], "follow-org-3") < VISIBLE_WITHIN_S
    engine.dispose()
    assert PASSWORD not in server.log.read_text()
