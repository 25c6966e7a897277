"""No profile field reaches the logs, the database or a shared link.

Every logger that could see a request (root, uvicorn, fastapi, starlette, httpx, sqlalchemy, tsbkart) is set to
DEBUG with a capturing handler while profiles go through the API and the page, including a rejected one."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import Engine, text

from tsbkart.finder.profile import NeedProfile, Preferences
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore", UserWarning)  # starlette's httpx2 notice (see test_finder_routes)
    from fastapi.testclient import TestClient

LOGGERS = (
    "",
    "uvicorn",
    "uvicorn.access",
    "uvicorn.error",
    "fastapi",
    "starlette",
    "httpx",
    "sqlalchemy",
    "tsbkart",
)
# Distinctive values: none of them can appear in a log line by accident.
PROFILE = {
    "home_area": "5601",
    "postal_code": "9518",
    "age": 87,
    "sex": "female",
    "substances": ["anabolic_steroids", "gaming"],
    "injecting_groin_neck": True,
    "pregnant": True,
    "children_in_care": True,
    "lar": "wanted",
    "rop": True,
    "detox": True,
    "acute_crisis": True,
    "coercion": "hol_10_3",
    "in_prison": True,
    "language": "zu",
}
SECRETS = [
    "5601",
    "9518",
    "87",
    "anabolic_steroids",
    "gaming",
    "hol_10_3",
    "injecting_groin_neck",
    "children_in_care",
    "in_prison",
    "acute_crisis",
    "pregnant",
    '"zu"',
    "wanted",
]


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()} {record.args!r} {record.exc_text or ''}")


@contextmanager
def capture(caplog: pytest.LogCaptureFixture) -> Iterator[Capture]:
    """Capture from here on (after the app has loaded its read model, whose SQL rows are registry data)."""
    handler = Capture()
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    caplog.set_level(logging.DEBUG)
    try:
        yield handler
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)


def _counts(engine: Engine) -> tuple[int, int]:
    with engine.connect() as connection:
        revisions = connection.execute(text("SELECT count(*) FROM revisions")).scalar_one()
        changes = connection.execute(text("SELECT count(*) FROM changes")).scalar_one()
    return int(revisions), int(changes)


def _form() -> dict[str, object]:
    form: dict[str, object] = {k: ("1" if v is True else v) for k, v in PROFILE.items()}
    form["age"] = "87"
    form |= {
        "public_only": "1",
        "max_distance_km": "250",
        "setting": "inpatient",
        "service_type": ["avrusning"],
    }
    return form


def test_no_profile_field_in_logs_database_or_link(
    reference_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    before = _counts(reference_engine)
    app = create_app(Settings(database_url=str(reference_engine.url)), Registry(reference_engine))
    with TestClient(app) as client, capture(caplog) as captured:
        api = client.post("/api/v1/finder", json={"profile": PROFILE, "explain": True})
        assert api.status_code == 200
        page = client.post("/finn/results", data=_form(), headers={"HX-Request": "true"})
        assert page.status_code == 200
        rejected = client.post("/api/v1/finder", json={"profile": PROFILE | {"sex": "male"}})
        assert rejected.status_code == 422
        client.post("/finn/results", data=_form() | {"age": "eighty-seven"})
    assert any("/api/v1/finder" in line for line in captured.lines), (
        "capture saw no request: it would prove nothing"
    )
    logged = "\n".join(
        captured.lines + [r.getMessage() for r in caplog.records if r.name != "sqlalchemy.engine.Engine"]
    )
    for secret in SECRETS:
        assert secret not in logged, f"{secret!r} reached the logs"
    assert _counts(reference_engine) == before

    html = page.text
    start = html.index('href="/finn?') + len('href="')
    link = html[start : html.index('"', start)].replace("&amp;", "&")
    keys = {k for k, _ in parse_qsl(urlsplit(link).query)}
    assert keys <= set(Preferences.model_fields) | {"service_type", "view"}
    assert not keys & set(NeedProfile.model_fields)
    for secret in SECRETS:
        assert secret not in link


def test_profile_never_in_a_url_the_page_builds(reference_engine: Engine) -> None:
    app = create_app(Settings(database_url=str(reference_engine.url)), Registry(reference_engine))
    with TestClient(app) as client:
        html = client.get("/finn").text
    form_tag = html[html.index("<form") : html.index(">", html.index("<form"))]
    assert 'method="post"' in form_tag and "hx-get" not in form_tag and 'method="get"' not in form_tag
