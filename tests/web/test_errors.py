"""One set of error handlers: pages answer the HTML error page in the user's language, the API problem+json."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract
from sqlalchemy import Engine

import tsbkart.web
from tsbkart.finder.search import FinderInputError
from tsbkart.query.filters import FilterError
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.web.app import create_app
from tsbkart.web.errors import FIELDS, MESSAGES, PROBLEMS, TITLES, user_error_message, validation_messages

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

WEB = Path(tsbkart.web.__file__).parent


@pytest.fixture(scope="module")
def client(reference_engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=str(reference_engine.url)), Registry(reference_engine))
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(autouse=True)
def _no_language_cookie(client: TestClient) -> Iterator[None]:
    yield
    client.cookies.clear()  # ?lang=en is remembered; each test starts in the default language


def _is_error_page(response: object, status: int, *texts: str) -> None:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"].startswith("text/html")  # type: ignore[attr-defined]
    html: str = response.text  # type: ignore[attr-defined]
    assert 'class="site-header"' in html and 'role="alert"' in html
    for text in texts:
        assert text in html


@pytest.mark.parametrize("path", ["/nowhere", "/enhet", "/omrade/fylke/46", "/atlas/rapport/x/y", "/finn/x"])
def test_unknown_page_paths_answer_the_html_page_in_bokmal(client: TestClient, path: str) -> None:
    # Before the one error layer these were {"detail": "Not Found"} problem+json.
    _is_error_page(client.get(path), 404, "Fant ikke siden", "Det finnes ingen side på denne adressen.")


def test_unknown_page_paths_answer_in_english_when_chosen(client: TestClient) -> None:
    _is_error_page(client.get("/nowhere?lang=en"), 404, "Page not found", '<html lang="en"')


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/"), ("DELETE", "/enhet/unn-avrusning-tromso"), ("PUT", "/finn")]
)
def test_wrong_methods_on_pages_answer_the_html_page(client: TestClient, method: str, path: str) -> None:
    response = client.request(method, path)
    _is_error_page(response, 405, "Siden kan ikke brukes slik")
    assert "GET" in response.headers["allow"]


def test_page_validation_errors_are_bokmal_not_pydantic(client: TestClient) -> None:
    response = client.get("/finn?max_distance_km=-4")
    _is_error_page(response, 422, "Største avstand (km): må være større enn 0")
    assert "Input should be" not in response.text
    english = client.get("/finn?max_distance_km=abc&lang=en")
    _is_error_page(english, 422, "Maximum distance (km): must be a number")


def test_core_not_found_is_a_page_in_the_users_language(client: TestClient) -> None:
    _is_error_page(client.get("/enhet/nope"), 404, "Ingen enhet har denne id-en.")
    _is_error_page(client.get("/atlas/nope?lang=en"), 404, "No indicator has this id.")


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/api/v1/nowhere", 404),
        ("POST", "/api/v1/vocabularies", 405),
        ("GET", "/api/v1/units?limit=0", 422),
    ],
)
def test_the_api_keeps_problem_json(client: TestClient, method: str, path: str, status: int) -> None:
    response = client.request(method, path)
    assert response.status_code == status
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == status


def test_validation_messages_name_the_field_and_the_problem() -> None:
    errors = [
        {"loc": ("preferences", "max_distance_km"), "type": "greater_than", "ctx": {"gt": 0}},
        {"loc": ("age",), "type": "int_parsing"},
        {"loc": ("body",), "type": "something_new"},
    ]
    assert validation_messages(errors, "nb") == [
        "Største avstand (km): må være større enn 0",
        "Alder: må være et heltall",
        "Forespørselen: er ikke gyldig",
    ]
    assert validation_messages(errors[:1], "en") == ["Maximum distance (km): must be greater than 0"]


def test_filter_errors_on_pages_name_the_field_and_the_value() -> None:
    error = FilterError("service_type", "unknown code(s) 'teleport'", ("akutt",), ("teleport",))
    assert user_error_message(error, "nb") == "Tjenestetype: ukjent verdi «teleport»"
    assert user_error_message(error, "en") == "Service type: unknown value(s) «teleport»"


def _translated(language: str) -> set[str]:
    ids: set[str] = set()
    for path in (WEB / "i18n" / language).glob("*.po"):
        with path.open("rb") as handle:
            ids |= {m.id for m in read_po(handle, locale=language) if isinstance(m.id, str) and m.string}
    return ids


def test_every_page_message_has_a_bokmal_translation() -> None:
    wanted = {*TITLES.values(), *MESSAGES.values(), *FIELDS.values(), *PROBLEMS.values()}
    for template in (WEB / "templates").rglob("*.html"):
        with template.open("rb") as handle:
            wanted |= {m for _, _, m, _ in babel_extract(handle, ("_",), [], {}) if isinstance(m, str)}
    assert sorted(wanted - _translated("nb")) == []


def test_finder_input_errors_on_pages_name_the_field_in_the_users_language() -> None:
    error = FinderInputError("home_area: '9999' is not a known municipality", "home_area", ("9999",))
    assert user_error_message(error, "nb") == "Hjemkommune eller bydel: ukjent verdi «9999»"
