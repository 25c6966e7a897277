"""Report PDFs: one render per key, at most N at once, 503 instead of an unbounded queue; the route caches."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine

from tests.web.api_client import TestClient, app_for
from tsbkart.registry.store import Registry
from tsbkart.web.report_pdfs import RendersBusy, ReportPdfs


def test_one_render_per_key_even_when_asked_at_once() -> None:
    pdfs = ReportPdfs(renders=2)
    renders: list[str] = []
    gate = threading.Barrier(4, timeout=10)

    def ask(_: int) -> bytes:
        gate.wait()
        return pdfs.get("unn", lambda: renders.append("unn") or b"%PDF-unn")

    with ThreadPoolExecutor(4) as pool:
        bodies = list(pool.map(ask, range(4)))
    assert renders == ["unn"]
    assert bodies == [b"%PDF-unn"] * 4


def test_at_most_n_renders_run_at_once() -> None:
    pdfs = ReportPdfs(renders=2)
    running, most = 0, 0
    lock = threading.Lock()
    both_started = threading.Barrier(2, timeout=10)

    def render(key: str) -> bytes:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        if key in ("a", "b"):
            both_started.wait()
        with lock:
            running -= 1
        return key.encode()

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda k: pdfs.get(k, lambda: render(k)), ["a", "b", "c", "d", "e", "f"]))
    assert most <= 2


def test_busy_slots_answer_renders_busy_instead_of_waiting_forever() -> None:
    pdfs = ReportPdfs(renders=1, wait_seconds=0.2)
    release = threading.Event()
    started = threading.Event()

    def slow() -> bytes:
        started.set()
        release.wait(10)
        return b"slow"

    with ThreadPoolExecutor(1) as pool:
        first = pool.submit(pdfs.get, "a", slow)
        assert started.wait(10)
        with pytest.raises(RendersBusy):
            pdfs.get("b", lambda: b"never")
        release.set()
        assert first.result(10) == b"slow"


def test_report_pdf_route_renders_once_per_revision(reference_engine: Engine) -> None:
    # the PDF cache alone, not the page cache in front of it
    client = TestClient(app_for(reference_engine, page_cache_bytes=0)[0])
    code = next(iter(Registry(reference_engine).snapshot().geography.catchments))
    first = client.get(f"/atlas/rapport/{code}.pdf")
    second = client.get(f"/atlas/rapport/{code}.pdf")
    assert first.status_code == second.status_code == 200
    assert first.content.startswith(b"%PDF") and first.content == second.content
    metrics = client.get("/metrics").text
    assert 'tsbkart_cache_requests_total{cache="pdf",result="miss"} 1.0' in metrics
    assert 'tsbkart_cache_requests_total{cache="pdf",result="hit"} 1.0' in metrics
