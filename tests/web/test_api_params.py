"""``as_of`` is a calendar date only: what the schema says is what the API accepts."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from tests.web.api_client import TestClient, client_for


@pytest.fixture(scope="module")
def client(reference_engine: Engine) -> TestClient:
    return client_for(reference_engine)


@pytest.mark.parametrize("value", ["0", "1700000000", "2026-02-30", "2026-1-1", "2026-W01", "yesterday"])
def test_as_of_that_is_not_a_calendar_date_is_422(client: TestClient, value: str) -> None:
    response = client.get("/api/v1/units", params={"as_of": value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["parameter"] == "as_of"


def test_as_of_in_the_future_is_400_and_a_past_day_is_read(client: TestClient) -> None:
    assert client.get("/api/v1/units?as_of=2999-01-01").status_code == 400
    assert client.get("/api/v1/units?as_of=2001-01-01").json()["total"] == 0


def test_schema_declares_the_date_form(client: TestClient) -> None:
    parameters = client.get("/openapi.json").json()["paths"]["/api/v1/units"]["get"]["parameters"]
    as_of = next(p for p in parameters if p["name"] == "as_of")
    string = next(s for s in as_of["schema"]["anyOf"] if s.get("type") == "string")
    assert as_of["schema"]["format"] == "date"
    assert string["pattern"] == "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
