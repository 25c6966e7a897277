"""LocalServer: a real uvicorn server on a free local port, stopped when the block ends."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tsbkart.web.local_server import LocalServer


def test_serves_the_app_while_entered_and_stops_after() -> None:
    app = FastAPI()

    @app.get("/ping")
    def ping() -> dict[str, str]:
        return {"pong": "ok"}

    with LocalServer(app) as server:
        assert httpx.get(f"{server.url}/ping", timeout=5).json() == {"pong": "ok"}
    assert not server.thread.is_alive()
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{server.url}/ping", timeout=2)
