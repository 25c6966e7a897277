"""The one request context: language (query, cookie, configured default), today in Europe/Oslo, one snapshot."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine

from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

PAGES = ("/", "/finn", "/atlas", "/enhet/unn-avrusning-tromso", "/omrade/hf/unn")


@pytest.fixture(scope="module")
def english_default(reference_engine: Engine) -> Iterator[TestClient]:
    settings = Settings(database_url=str(reference_engine.url), default_language="en")
    with TestClient(create_app(settings, Registry(reference_engine))) as client:
        yield client


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("accept", [None, "nb-NO,nb;q=0.9", "en-US,en;q=0.9"])
def test_configured_default_language_holds_on_every_page(
    english_default: TestClient, path: str, accept: str | None
) -> None:
    # Before the one request context, /finn ignored the setting and /atlas ignored it whenever the browser sent
    # Accept-Language (every browser does).
    headers = {"Accept-Language": accept} if accept else {}
    response = english_default.get(path, headers=headers)
    assert response.status_code == 200
    assert '<html lang="en"' in response.text


@pytest.mark.parametrize("path", PAGES)
def test_query_and_cookie_override_the_configured_default(english_default: TestClient, path: str) -> None:
    assert '<html lang="nb"' in english_default.get(path, params={"lang": "nb"}).text
    english_default.cookies.set("lang", "nb")
    try:
        assert '<html lang="nb"' in english_default.get(path).text
    finally:
        english_default.cookies.clear()
