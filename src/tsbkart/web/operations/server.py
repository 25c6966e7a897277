"""How uvicorn runs the app, shared by ``tsbkart serve`` and ``LocalServer`` (tests, benchmarks).

- no ``server: uvicorn`` banner;
- proxy headers are handled inside the app (``TSBKART_TRUSTED_PROXIES``), so uvicorn's own pass is off;
- the request-line buffer admits URLs well past ``TSBKART_MAX_URL_BYTES``, so a long URL gets the app's
  414 rather than uvicorn's bare 400 (beyond this buffer uvicorn still answers 400 and closes);
- the app writes its own access line (``tsbkart.access``), so uvicorn's is off;
- every connection has ``TCP_NODELAY`` (:class:`NoDelayH11Protocol`).
"""

from __future__ import annotations

import asyncio
import os
import socket
import tempfile
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from tsbkart.settings import Settings
from tsbkart.web.operations.request_log import log_config

REQUEST_LINE_BUFFER_BYTES = 64 * 1024


class NoDelayH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with Nagle's algorithm off on every TCP connection.

    With ``--workers`` uvicorn binds the listening socket itself with protocol number 0, and asyncio turns
    Nagle's algorithm off only for sockets whose protocol is ``IPPROTO_TCP``; an answer written in two parts
    (head, then body) then waits for the client's delayed ACK, about 40 ms (``/healthz`` fell from 3,200 to
    1,100 req/s with two workers). One process is unaffected (asyncio binds its own socket), but gets the same.
    """

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def server_options(settings: Settings) -> dict[str, Any]:
    return {
        "http": NoDelayH11Protocol,
        "server_header": False,
        "proxy_headers": False,
        "h11_max_incomplete_event_size": max(REQUEST_LINE_BUFFER_BYTES, 2 * settings.max_url_bytes),
        "access_log": False,
        "log_config": log_config(settings.log_format),
    }


def prepare_workers(workers: int) -> None:
    """Before forking ``workers`` processes: one directory where their metrics meet (prometheus-client)."""
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="tsbkart-metrics-")
