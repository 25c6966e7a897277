"""A request id and one structured log line per request, and the JSON log format of ``tsbkart serve``.

Every request gets an id (a client's ``X-Request-ID`` when it is a short token, else a new one), answered in
``X-Request-ID`` and attached to every log record made while serving it. The access line names the route
*template* (``/enhet/{unit_id}``), never the raw path or query, so nothing a client put in a URL (an id,
a search, a token) is written to the log; request bodies (a finder profile, a password) never are.

    {"time": "...", "level": "INFO", "logger": "tsbkart.access", "message": "request", "request_id": "...",
     "method": "GET", "route": "/api/v1/units", "status": 200, "duration_ms": 2.1}
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tsbkart.web.operations.metrics import Metrics

REQUEST_ID = ContextVar("request_id", default="-")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
UNMATCHED = "<unmatched>"
access_log = logging.getLogger("tsbkart.access")


def route_template(scope: Scope) -> str:
    """The matched route's full path template (``/api/v1/units/{unit_id}``), or ``<unmatched>``.

    The router puts the matched route on the scope; in an included router its template lacks the prefix,
    which is what the request path has before the part the template matched.
    """
    template = getattr(scope.get("route"), "path_format", None)
    if not isinstance(template, str):
        # A mount (``/static``) sets no route, only its endpoint and the mount point as root_path.
        mounted = scope.get("root_path", "")
        return f"{mounted}/{{path}}" if scope.get("endpoint") is not None and mounted else UNMATCHED
    try:
        matched = template.format(**{k: str(v) for k, v in scope.get("path_params", {}).items()})
    except (KeyError, IndexError, ValueError):
        return template
    path: str = scope["path"]
    return path.removesuffix(matched) + template if path.endswith(matched) else template


class RequestContext:
    """Outermost app middleware: request id, latency and status into the metrics and the access log."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        offered = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = offered if _CLIENT_ID.match(offered) else uuid.uuid4().hex
        token = REQUEST_ID.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = route_template(scope)
            method = scope["method"]
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(seconds)
            access_log.info(
                "request",
                extra={
                    "method": method,
                    "route": route,
                    "status": status,
                    "duration_ms": round(seconds * 1000, 2),
                },
            )
            REQUEST_ID.reset(token)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = REQUEST_ID.get()
        return True


def log_config(log_format: str, level: str = "INFO") -> dict[str, Any]:
    """``logging.config.dictConfig`` for the server (uvicorn's ``log_config``): JSON or plain text lines."""
    formatter: dict[str, Any] = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        }
        if log_format == "json"
        else {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"default": formatter},
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "": {"handlers": ["default"], "level": level},
            "uvicorn": {"handlers": ["default"], "level": level, "propagate": False},
            "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        },
    }
