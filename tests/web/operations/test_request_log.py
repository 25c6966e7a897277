"""Structured JSON logs with a request id; no finder profile, token or password ever reaches them."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Engine

from tests.web.api_client import TestClient, app_for
from tests.web.test_finder_privacy import PROFILE, SECRETS
from tsbkart.web.operations.request_log import log_config

TOKEN = "tok-9f8e7d6c5b4a"
PASSWORD = "pw-hunter2-xyz"


@contextmanager
def json_log() -> Iterator[io.StringIO]:
    """The server's own logging configuration, writing to a buffer instead of stderr."""
    config = log_config("json", level="DEBUG")
    stream = io.StringIO()
    config["handlers"]["default"]["stream"] = stream
    # The test's own HTTP client (httpx) logs the URLs it sends; a server has no such logger.
    config["loggers"]["httpx"] = {"level": "WARNING"}
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    logging.config.dictConfig(config)
    try:
        yield stream
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])


def logged_text(stream: io.StringIO) -> str:
    """Every logged value except those the server makes up (time, request id, duration)."""
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    generated = ("time", "request_id", "duration_ms")
    return "\n".join(" ".join(str(v) for k, v in line.items() if k not in generated) for line in lines)


def test_one_json_line_per_request_with_its_id(reference_engine: Engine) -> None:
    app, _ = app_for(reference_engine)
    client = TestClient(app)
    with json_log() as stream:
        response = client.get("/api/v1/units?q=tromso", headers={"X-Request-ID": "abcdef123456"})
        other = client.get("/healthz")
    assert response.headers["x-request-id"] == "abcdef123456"
    assert len(other.headers["x-request-id"]) == 32
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "tsbkart.access"]
    assert access[0] | {"duration_ms": 0} == {
        "time": access[0]["time"],
        "level": "INFO",
        "logger": "tsbkart.access",
        "message": "request",
        "request_id": "abcdef123456",
        "method": "GET",
        "route": "/api/v1/units",
        "status": 200,
        "duration_ms": 0,
    }
    assert "tromso" not in logged_text(stream)


def test_a_bad_client_request_id_is_replaced(reference_engine: Engine) -> None:
    app, _ = app_for(reference_engine)
    response = TestClient(app).get("/healthz", headers={"X-Request-ID": "bad id <script>"})
    assert response.headers["x-request-id"] != "bad id<script>"
    assert len(response.headers["x-request-id"]) == 32


def test_no_profile_token_or_password_in_the_logs(reference_engine: Engine) -> None:
    app, _ = app_for(reference_engine)
    client = TestClient(app)
    with json_log() as stream:
        assert client.post("/api/v1/finder", json={"profile": PROFILE, "explain": True}).status_code == 200
        client.post("/api/v1/finder", json={"profile": PROFILE | {"sex": "unknown-sex"}})
        client.get(f"/enhet/{TOKEN}?token={TOKEN}")
        client.post("/logg-inn", data={"email": "a@b.no", "password": PASSWORD})
        client.get("/api/v1/units", headers={"Authorization": f"Bearer {TOKEN}"})
    logged = logged_text(stream)
    assert logged.count("tsbkart.access") == 5, "the log saw fewer requests than were sent"
    for secret in [*SECRETS, TOKEN, PASSWORD, "unknown-sex"]:
        assert secret not in logged, f"{secret!r} reached the logs"
