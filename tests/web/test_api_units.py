"""/api/v1/units on the bundled registry: filters, search, near-sort, paging, formats and errors."""

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


def all_units(client: TestClient, query: str = "") -> list[dict[str, object]]:
    body = client.get(f"/api/v1/units?limit=500&{query}").json()
    assert body["total"] == len(body["items"])
    return list(body["items"])


def test_lists_every_bundled_unit_in_name_order(client: TestClient) -> None:
    items = all_units(client)
    assert len(items) > 100
    keys = [(str(i["name"]).casefold(), i["id"]) for i in items]
    assert keys == sorted(keys)


def test_service_type_filter_keeps_only_units_offering_it(client: TestClient) -> None:
    items = all_units(client, "service_type=avrusning")
    assert items
    assert all("avrusning" in i["service_types"] for i in items)  # type: ignore[operator]
    everything = all_units(client)
    assert len(items) < len(everything)


def test_repeated_and_comma_separated_codes_mean_or(client: TestClient) -> None:
    repeated = all_units(client, "service_type=avrusning&service_type=lar")
    comma = all_units(client, "service_type=avrusning,lar")
    assert [i["id"] for i in repeated] == [i["id"] for i in comma]
    assert len(repeated) > len(all_units(client, "service_type=avrusning"))


def test_near_sorts_by_distance_and_radius_cuts(client: TestClient) -> None:
    items = all_units(client, "near=69.65,18.96")
    distances = [i["distance_km"] for i in items if i["distance_km"] is not None]
    assert distances == sorted(distances)  # type: ignore[type-var]
    assert items[0]["region_code"] == "helse-nord"
    within = all_units(client, "near=69.65,18.96&radius_km=100")
    assert within and all(i["distance_km"] <= 100 for i in within)  # type: ignore[operator]
    assert len(within) < len(items)


@pytest.mark.parametrize("query", ["tromsø", "TROMSØ", "tromso", "troms", "Tromsø rus"])
def test_text_search_handles_norwegian_letters_case_and_partial_words(client: TestClient, query: str) -> None:
    items = all_units(client, f"q={query}")
    assert items
    assert any("Tromsø" in str(i["name"]) or i["town"] == "Tromsø" for i in items)


def test_area_filter_by_region_catchment_and_bydel(client: TestClient) -> None:
    region = all_units(client, "area=helse-nord")
    assert region and all(i["region_code"] == "helse-nord" for i in region)
    catchment = all_units(client, "area=lovisenberg")
    assert catchment and all(i["catchment_code"] == "lovisenberg" for i in catchment)
    # A bydel selects the units located in it, as its area page does; the bundled Oslo units are placed in
    # kommune 0301 only, so none is known to be in Gamle Oslo (unknown is not guessed from the catchment).
    bydel = all_units(client, "area=030101")
    assert all(i["municipality_code"] == "030101" for i in bydel)
    oslo = all_units(client, "area=0301")
    assert oslo and all(str(i["municipality_code"]).startswith("0301") for i in oslo)


def test_pages_are_stable_and_complete(client: TestClient) -> None:
    full = [i["id"] for i in all_units(client, "near=59.91,10.75")]
    paged: list[object] = []
    for offset in range(0, len(full), 7):
        paged += [
            i["id"]
            for i in client.get(f"/api/v1/units?near=59.91,10.75&limit=7&offset={offset}").json()["items"]
        ]
    assert paged == full


def test_unknown_code_is_422_naming_the_parameter_and_valid_codes(client: TestClient) -> None:
    response = client.get("/api/v1/units?service_type=dogn")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    error = response.json()["errors"][0]
    assert error["parameter"] == "service_type"
    assert set(error["valid"]) == set(load_vocabularies()["service_types"].codes)


@pytest.mark.parametrize(
    ("query", "status", "parameter"),
    [
        ("as_of=2999-01-01", 400, "as_of"),
        ("as_of=yesterday", 422, "as_of"),
        ("near=59.9", 422, "near"),
        ("near=91,10", 422, "near"),
        ("radius_km=10", 422, "radius_km"),
        ("radius_km=-1&near=59,10", 422, "radius_km"),
        ("limit=501", 422, "limit"),
        ("offset=-1", 422, "offset"),
        ("open_24_7=maybe", 422, "open_24_7"),
        ("area=nowhere", 422, "area"),
        ("q=%20-%20", 422, "q"),
        ("format=xml", 422, "format"),
    ],
)
def test_malformed_input_is_4xx_with_a_clear_message(
    client: TestClient, query: str, status: int, parameter: str
) -> None:
    response = client.get(f"/api/v1/units?{query}")
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == status
    assert parameter in body["detail"]
    assert body["errors"][0]["parameter"] == parameter


def test_as_of_today_reads_the_history(client: TestClient) -> None:
    from datetime import UTC, datetime

    today = datetime.now(UTC).date().isoformat()
    assert client.get(f"/api/v1/units?as_of={today}&limit=500").json()["total"] == len(all_units(client))
    assert client.get("/api/v1/units?as_of=2000-01-01").json()["total"] == 0


def test_etag_and_last_modified_give_304(client: TestClient) -> None:
    first = client.get("/api/v1/units?service_type=lar")
    assert first.headers["etag"].startswith('"')
    assert first.headers["last-modified"].endswith("GMT")
    again = client.get("/api/v1/units?service_type=lar", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""
    since = client.get(
        "/api/v1/units?service_type=lar", headers={"If-Modified-Since": first.headers["last-modified"]}
    )
    assert since.status_code == 304
    other = client.get("/api/v1/units?service_type=dag", headers={"If-None-Match": first.headers["etag"]})
    assert other.status_code == 200
    assert other.headers["etag"] != first.headers["etag"]


def test_csv_has_the_same_rows_as_json(client: TestClient) -> None:
    response = client.get("/api/v1/units?service_type=avrusning&limit=500&format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["id"] for r in rows] == [i["id"] for i in all_units(client, "service_type=avrusning")]
    assert all("avrusning" in r["service_types"].split(";") for r in rows)


def test_geojson_features_carry_the_documented_properties(client: TestClient) -> None:
    response = client.get("/api/v1/units.geojson?service_type=avrusning")
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    feature = body["features"][0]
    assert feature["id"] == feature["properties"]["id"]
    lon, lat = feature["geometry"]["coordinates"]
    assert 57 < lat < 72 and 4 < lon < 32  # Norway, [lon, lat] order
    expected = {
        "id", "name", "organisation_id", "organisation_name", "owner_type", "catchment_code", "catchment_name",
        "region_code", "municipality_code", "municipality_name", "location_precision", "approximate",
        "service_types", "open_24_7", "intake_status", "beds", "url",
    }  # fmt: skip
    assert expected <= set(feature["properties"])
    assert feature["properties"]["url"] == f"/enhet/{feature['id']}"
    assert body["total"] == len(body["features"]) == len(all_units(client, "service_type=avrusning"))


def test_one_unit_with_offers_and_provenance(client: TestClient) -> None:
    unit_id = all_units(client, "service_type=avrusning")[0]["id"]
    body = client.get(f"/api/v1/units/{unit_id}").json()
    assert body["id"] == unit_id
    assert any(o["service_type"] == "avrusning" for o in body["offers"])
    assert body["provenance"]["source"]
    missing = client.get("/api/v1/units/no-such-unit")
    assert missing.status_code == 404
    assert "no-such-unit" in missing.json()["detail"]


def test_near_accepts_a_postal_code(client: TestClient) -> None:
    # #11: a postal code instead of lat,lon; the nearest unit to Bergen's 5003 is in Bergen's catchment area.
    items = all_units(client, "near=5003")
    assert items[0]["catchment_code"] == "bergen"
    bad = client.get("/api/v1/units?near=0000")
    assert bad.status_code == 422 and "postal code" in bad.text


def test_a_target_group_no_offer_names_still_answers_and_explains(client: TestClient) -> None:
    """Before #11 ?target_group=alcohol (and adults) returned 0 units: no offer carried the code."""
    body = client.get("/api/v1/units?limit=500&target_group=alcohol").json()
    assert body["total"] > 100
    assert {i["target_group_fit"] for i in body["items"]} <= {"stated", "stated_for_unit", "possible"}
    counts = body["explanation"]["target_counts"]
    assert counts["possible"] + counts["stated"] + counts["stated_for_unit"] == body["total"]
    assert "units state" in body["explanation"]["message"]
    adults = client.get("/api/v1/units?limit=500&target_group=adults&match=stated").json()
    assert adults["total"] > 0
    assert {i["target_group_fit"] for i in adults["items"]} <= {"stated", "stated_for_unit"}
    geojson = client.get("/api/v1/units.geojson?target_group=adults").json()
    assert geojson["explanation"]["target_counts"]["stated_not"] == 0  # adults are never ruled out by "18+"
    youth = client.get("/api/v1/units.geojson?target_group=under_18").json()
    assert youth["explanation"]["target_counts"]["stated_not"] > 0  # "18+" units
    assert all(f["properties"]["target_group_fit"] != "stated_not" for f in youth["features"])


def test_an_empty_list_says_why_and_how_to_get_out(client: TestClient) -> None:
    body = client.get("/api/v1/units?service_type=akutt&area=finnmark").json()
    assert body["total"] == 0 and body["items"] == []
    explanation = body["explanation"]
    assert explanation["reason"] == "filters_combined" and explanation["message"]
    ways = {(s["kind"], s["parameter"], s["value"]): s for s in explanation["suggestions"]}
    assert set(ways) == {
        ("drop", "service_type", "akutt"),
        ("drop", "area", "finnmark"),
        ("widen", "area", "helse-nord"),
    }
    assert all(s["total"] > 0 for s in explanation["suggestions"])
    assert ways[("drop", "service_type", "akutt")]["query"] == {"area": ["finnmark"]}
    widen = ways[("widen", "area", "helse-nord")]
    again = client.get("/api/v1/units", params=widen["query"]).json()
    assert again["total"] == widen["total"] and all("akutt" in i["service_types"] for i in again["items"])


def test_a_list_with_results_and_no_target_group_has_no_explanation(client: TestClient) -> None:
    assert "explanation" not in client.get("/api/v1/units?service_type=akutt").json()


def test_match_must_be_stated_or_possible(client: TestClient) -> None:
    assert client.get("/api/v1/units?target_group=adults&match=maybe").status_code == 422


def test_language_delivery_and_accessibility_filters_explain_an_empty_answer(client: TestClient) -> None:
    """Nothing in the bundled data states them yet: the answer is empty and says which filter to drop."""
    for query in ("language=se", "delivery_method=digital", "accessibility=lift"):
        body = client.get(f"/api/v1/units?{query}").json()
        assert body["total"] == 0
        assert body["explanation"]["suggestions"][0]["kind"] == "drop", query
    assert client.get("/api/v1/units?language=norsk").status_code == 422
    assert client.get("/api/v1/units?delivery_method=teleport").status_code == 422
