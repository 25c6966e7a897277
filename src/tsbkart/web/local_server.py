"""The app in a real uvicorn server on a free 127.0.0.1 port, in a background thread, and how Debian's chromium
is started against it. Used by the browser tests and the benchmarks, which must measure the real server::

    with LocalServer(create_app(settings, registry)) as server:
        httpx.get(server.url + "/api/v1/health")
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from tsbkart.settings import Settings
from tsbkart.web.operations.server import server_options

# The system chromium (Debian's package); Playwright never downloads a browser here. Without the
# background-networking flags chromium keeps trying to reach Google's hosts on a closed network.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
START_TIMEOUT_S = 20.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LocalServer:
    """uvicorn serving ``app`` in a daemon thread: ``url`` once entered; stopped on exit."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        # Any FastAPI app may be served; a tsbkart app brings its own settings.
        state = getattr(app.state, "tsbkart", None)
        settings = state.settings if state is not None else Settings()
        options = server_options(settings) | {"log_config": None}
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", **options)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> LocalServer:
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT_S
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError(f"uvicorn did not start on {self.url}")
            time.sleep(0.05)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
