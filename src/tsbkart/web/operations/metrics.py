"""Prometheus metrics (``GET /metrics``), one ``CollectorRegistry`` per app (no module-level state).

    tsbkart_http_requests_total{method,route,status}       requests by route template, not by raw path
    tsbkart_http_request_duration_seconds{method,route}    latency histogram
    tsbkart_snapshot_build_seconds                         snapshot rebuilds (histogram)
    tsbkart_snapshot_revision                              the revision the read model holds
    tsbkart_snapshot_confirmed_age_seconds                 seconds since the snapshot was confirmed current
    tsbkart_database_reachable                             1 while the revision follower reaches the database
    tsbkart_cache_requests_total{cache,result}             document/PDF cache hits and misses
    tsbkart_finder_searches_total{where}                   finder API searches in the finder process or a thread
    tsbkart_imports_total{outcome}                         imports by any process, the CLI's included (ok / failed),
                                                           counted from the audit log when scraped

With ``PROMETHEUS_MULTIPROC_DIR`` set (``tsbkart serve --workers N`` sets it), counters and histograms are
aggregated over all worker processes, as prometheus-client's multiprocess mode does.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import Literal

from fastapi import APIRouter, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.stewardship.audit import import_counts
from tsbkart.web.state import AppState

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
router = APIRouter()


class Metrics:
    def __init__(self, state: AppState) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.multiprocess = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
        r = self.registry
        self.requests = Counter(
            "tsbkart_http_requests", "HTTP requests", ["method", "route", "status"], registry=r
        )
        self.latency = Histogram(
            "tsbkart_http_request_duration_seconds",
            "Time to answer, by route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.snapshot_build = Histogram(
            "tsbkart_snapshot_build_seconds",
            "Snapshot rebuilds after a revision committed elsewhere",
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=r,
        )
        self.cache = Counter(
            "tsbkart_cache_requests", "Cache look-ups by cache and result", ["cache", "result"], registry=r
        )
        self.finder = Counter(
            "tsbkart_finder_searches", "Finder API searches by where they ran", ["where"], registry=r
        )
        # Imports run in the CLI, not in the server: the audit log holds their outcomes, read when scraped.
        self.imports = ImportCollector(state)
        r.register(self.imports)
        # Gauges are set when scraped and after each rebuild (set_function does not work across processes);
        # in multiprocess mode each worker reports its own value (a pid label).
        mode: Literal["liveall"] = "liveall"
        self.revision = Gauge(
            "tsbkart_snapshot_revision", "Revision in the read model", registry=r, multiprocess_mode=mode
        )
        self.age = Gauge(
            "tsbkart_snapshot_confirmed_age_seconds",
            "Seconds since the snapshot was confirmed current (-1: no follower running)",
            registry=r,
            multiprocess_mode=mode,
        )
        self.reachable = Gauge(
            "tsbkart_database_reachable", "1 while the database answers", registry=r, multiprocess_mode=mode
        )
        self.state = state
        state.build_listeners.append(self._built)

    def cache_lookup(self, cache: str, hit: bool) -> None:
        self.cache.labels(cache, "hit" if hit else "miss").inc()

    def finder_search(self, where: Literal["process", "thread"]) -> None:
        self.finder.labels(where).inc()

    def _built(self, snapshot: RegistrySnapshot, seconds: float) -> None:
        self.snapshot_build.observe(seconds)
        self.revision.set(snapshot.revision)

    def _update_gauges(self) -> None:
        freshness = self.state.freshness()
        self.revision.set(freshness.revision)
        age = freshness.confirmed_seconds_ago
        self.age.set(-1.0 if age is None else age)
        self.reachable.set(1.0 if freshness.database_reachable else 0.0)

    def exposition(self) -> bytes:
        self._update_gauges()
        if not self.multiprocess:
            return generate_latest(self.registry)
        combined = CollectorRegistry()
        multiprocess.MultiProcessCollector(combined)  # type: ignore[no-untyped-call]
        combined.register(self.imports)
        return generate_latest(combined)


class ImportCollector(Collector):
    """``tsbkart_imports_total{outcome}`` from the audit log's import events, read at each scrape."""

    def __init__(self, state: AppState) -> None:
        self.state = state

    def describe(self) -> Iterable[Metric]:
        return [CounterMetricFamily("tsbkart_imports", "Imports by any process", labels=["outcome"])]

    def collect(self) -> Iterable[Metric]:
        family = CounterMetricFamily("tsbkart_imports", "Imports by any process", labels=["outcome"])
        try:
            counts = import_counts(self.state.registry.engine)
        except SQLAlchemyError:
            return []  # the database is away: /readyz and tsbkart_database_reachable say so
        for outcome, count in counts.items():
            family.add_metric([outcome], count)
        return [family]


def metrics_of(request: Request) -> Metrics:
    metrics: Metrics = request.app.state.metrics
    return metrics


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:  # sync: the import counts read the database (a worker thread)
    return Response(metrics_of(request).exposition(), media_type=CONTENT_TYPE_LATEST)
