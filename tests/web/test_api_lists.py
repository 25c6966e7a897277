"""Offers, organisations, teams, areas, vocabularies and health on the bundled registry."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import Engine

from tests.web.api_client import TestClient, client_for
from tsbkart.vocab import load_vocabularies


@pytest.fixture(scope="module")
def client(reference_engine: Engine) -> TestClient:
    return client_for(reference_engine)


def test_health_reports_the_revision(client: TestClient) -> None:
    assert client.get("/api/v1/health").json() == {"status": "ok", "revision": 1}


def test_offers_filter_on_one_offer_and_page_by_id(client: TestClient) -> None:
    body = client.get("/api/v1/offers?service_type=avrusning&limit=500").json()
    assert body["total"] == len(body["items"]) > 0
    assert all(o["service_type"] == "avrusning" for o in body["items"])
    ids = [o["id"] for o in body["items"]]
    assert ids == sorted(ids)
    one = client.get(f"/api/v1/offers/{ids[0]}")  # ids contain a slash
    assert one.status_code == 200 and one.json()["id"] == ids[0]
    assert client.get("/api/v1/offers/nope/nothing").status_code == 404


def test_offers_by_unit_and_area(client: TestClient) -> None:
    unit = client.get("/api/v1/units?area=helse-nord&limit=1").json()["items"][0]
    offers = client.get(f"/api/v1/offers?unit={unit['id']}").json()["items"]
    assert sorted({o["service_type"] for o in offers}) == unit["service_types"]
    north = client.get("/api/v1/offers?area=helse-nord&limit=500").json()
    everything = client.get("/api/v1/offers?limit=500").json()
    assert 0 < north["total"] < everything["total"]


def test_organisations_filter_by_owner_type_and_name(client: TestClient) -> None:
    hf = client.get("/api/v1/organisations?owner_type=hf&limit=500").json()["items"]
    assert hf and all(o["owner_type"] == "hf" for o in hf)
    found = client.get("/api/v1/organisations?q=nord-norge").json()["items"]
    assert any("Nord-Norge" in o["name"] for o in found)
    one = client.get(f"/api/v1/organisations/{hf[0]['id']}").json()
    assert one["unit_ids"] == sorted(one["unit_ids"])
    assert client.get("/api/v1/organisations?owner_type=state").status_code == 422


def test_teams_by_area(client: TestClient) -> None:
    teams = client.get("/api/v1/teams?area=helse-nord&limit=500").json()["items"]
    assert teams
    catchments = client.get("/api/v1/areas?kind=catchment&limit=500").json()["items"]
    northern = {c["code"] for c in catchments if c["region_code"] == "helse-nord"}
    assert all(t["region_code"] == "helse-nord" or t["catchment_code"] in northern for t in teams)
    assert client.get(f"/api/v1/teams/{teams[0]['id']}").json()["id"] == teams[0]["id"]
    assert client.get("/api/v1/teams?area=atlantis").status_code == 422


def test_areas_of_every_kind(client: TestClient) -> None:
    kinds = {
        kind: client.get(f"/api/v1/areas?kind={kind}&limit=500").json()["total"]
        for kind in ("region", "catchment", "kommune", "bydel")
    }
    assert kinds["region"] == 4
    assert kinds["bydel"] >= 15  # Oslo's 15 bydeler plus Sentrum/Marka-style statistical districts
    assert kinds["kommune"] > 300
    gamle_oslo = client.get("/api/v1/areas/030101").json()
    assert gamle_oslo["kind"] == "bydel" and gamle_oslo["parent_code"] == "0301"
    assert client.get("/api/v1/areas?kind=county").status_code == 422
    assert client.get("/api/v1/areas?q=tromso").json()["items"][0]["name"] == "Tromsø"


def test_vocabularies_whole_and_as_csv(client: TestClient) -> None:
    names = [v["name"] for v in client.get("/api/v1/vocabularies").json()["items"]]
    assert "service_types" in names
    body = client.get("/api/v1/vocabularies/service_types").json()
    assert [t["code"] for t in body["terms"]] == list(load_vocabularies()["service_types"].codes)
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/vocabularies/service_types?format=csv").text)))
    assert rows[0]["code"] == body["terms"][0]["code"]
    assert rows[0]["label_nb"] == body["terms"][0]["label"]["nb"]
    missing = client.get("/api/v1/vocabularies/nope")
    assert missing.status_code == 404 and "service_types" in missing.json()["detail"]


@pytest.mark.parametrize("path", ["offers", "organisations", "teams", "areas", "vocabularies"])
def test_every_list_has_csv(client: TestClient, path: str) -> None:
    response = client.get(f"/api/v1/{path}?format=csv")
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert len(rows) > 1 and len(rows[0]) > 2
