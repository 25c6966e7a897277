"""The finder through the app: JSON API, the /finn page and its htmx fragment, share links, errors."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

with warnings.catch_warnings():
    # The installed starlette warns that httpx is deprecated for its TestClient (it wants httpx2, which is not
    # pinned); the suite turns warnings into errors, so silence just this import.
    warnings.simplefilter("ignore", UserWarning)
    from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy import Engine

from tsbkart.domain.calendar import today
from tsbkart.finder.profile import NeedProfile
from tsbkart.finder.search import FinderResult, find
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.web.app import create_app

ALTA = {"home_area": "5601", "age": 19, "substances": ["opioids"], "injecting": True}


@pytest.fixture(scope="module")
def client(reference_engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=str(reference_engine.url)), Registry(reference_engine))
    with TestClient(app) as test_client:
        yield test_client


def test_api_returns_ranked_results_with_reasons(client: TestClient) -> None:
    response = client.post("/api/v1/finder", json={"profile": ALTA, "limit": 5})
    assert response.status_code == 200
    body = response.json()
    assert body["deadline"]["weeks"] == 4 and body["deadline"]["guidance"] is True
    assert body["routing"]["team_id"] == "vurderingsteamet-i-helse-finnmark"
    assert len(body["results"]) == 5
    assert [r["rank"] for r in body["results"]] == [1, 2, 3, 4, 5]
    assert all(r["reasons"] and r["reasons"][0]["nb"] and r["reasons"][0]["en"] for r in body["results"])
    assert body["excluded"] is None


def test_api_explains_exclusions_on_request(client: TestClient) -> None:
    body = client.post("/api/v1/finder", json={"profile": ALTA | {"age": 17}, "explain": True}).json()
    codes = {reason["code"] for e in body["excluded"] for reason in e["reasons"]}
    assert {"age_below_min", "not_a_result", "service_not_needed"} <= codes


@pytest.mark.parametrize(
    ("profile", "field"),
    [
        (ALTA | {"home_area": "9999"}, "home_area"),
        (ALTA | {"age": -1}, "age"),
        (ALTA | {"substances": ["heroin"]}, "substances"),
        ({"age": 40}, "home_area"),
        (ALTA | {"sex": "male", "pregnant": True}, "pregnant"),
    ],
)
def test_api_rejects_bad_profiles_with_4xx(
    client: TestClient, profile: dict[str, object], field: str
) -> None:
    response = client.post("/api/v1/finder", json={"profile": profile})
    assert response.status_code == 422
    assert field in response.text


def test_api_rejects_malformed_bodies(client: TestClient) -> None:
    assert (
        client.post(
            "/api/v1/finder", content=b"{not json", headers={"content-type": "application/json"}
        ).status_code
        == 422
    )
    assert client.post("/api/v1/finder", json=[1, 2]).status_code == 422
    assert client.post("/api/v1/finder", json={"profile": ALTA, "limit": 0}).status_code == 422


def test_openapi_documents_the_finder(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/finder"]["post"]
    assert "requestBody" in operation
    schemas = spec["components"]["schemas"]
    assert {"FinderRequest", "NeedProfile", "FinderResult", "RankedOffer", "Reason", "Routing"} <= set(
        schemas
    )


def test_page_has_a_form_that_posts_in_the_body(client: TestClient) -> None:
    response = client.get("/finn")
    assert response.status_code == 200
    html = response.text
    assert 'method="post"' in html and 'hx-post="/finn/results"' in html
    assert "/static/vendor/htmx.org/htmx.min.js" in html
    assert 'name="viewport"' in html
    assert "<script>" not in html and 'style="' not in html  # CSP: no inline script or style
    assert 'media="print"' in html


def test_page_in_english(client: TestClient) -> None:
    response = client.get("/finn?lang=en")
    assert 'lang="en"' in response.text and "Find services" in response.text
    assert response.cookies.get("lang") == "en"  # remembered, as on every page
    client.cookies.clear()
    assert "Finn tjenester" in client.get("/finn").text


def _form(view: str = "public") -> dict[str, object]:
    return {
        "home_area": "4601",
        "age": "29",
        "sex": "female",
        "substances": ["alcohol"],
        "pregnant": "1",
        "coercion": "hol_10_3",
        "lar": "none",
        "setting": "any",
        "max_distance_km": "500",
        "public_only": "1",
        "view": view,
    }


def test_htmx_results_fragment(client: TestClient) -> None:
    response = client.post("/finn/results", data=_form(), headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.text
    # #11: the missing pregnancy deadline shows its source lead, in bokmål.
    assert "Nasjonalt forløp for gravide og rusmidler" in html
    assert "<html" not in html  # a fragment
    assert 'class="result"' in html and "6 uker" in html
    assert response.headers["cache-control"] == "no-store"


def test_results_without_javascript_render_a_whole_page(client: TestClient) -> None:
    response = client.post("/finn/results", data=_form())
    assert response.status_code == 200
    assert "<html" in response.text and 'class="result"' in response.text


def test_professional_view_adds_referral_details(client: TestClient) -> None:
    public = client.post("/finn/results", data=_form("public"), headers={"HX-Request": "true"}).text
    pro = client.post("/finn/results", data=_form("professional"), headers={"HX-Request": "true"}).text
    assert "HER-id" not in public and "HER-id" in pro
    assert "Krav til henvisning" in pro


def test_form_errors_are_shown_not_500(client: TestClient) -> None:
    bad = _form() | {"age": "abc"}
    response = client.post("/finn/results", data=bad, headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'role="alert"' in response.text
    assert "Alder: må være et heltall" in response.text  # the field and the problem in bokmål, not pydantic
    assert client.post("/finn/results", data=bad).status_code == 422
    assert client.post("/finn/results", data={}).status_code == 422


def test_share_link_holds_only_filters(client: TestClient) -> None:
    html = client.post("/finn/results", data=_form(), headers={"HX-Request": "true"}).text
    start = html.index('href="/finn?') + len('href="')
    link = html[start : html.index('"', start)].replace("&amp;", "&")
    query = dict(parse_qsl(urlsplit(link).query))
    assert query == {"public_only": "1", "max_distance_km": "500"}
    page = client.get(link).text
    assert 'name="public_only" value="1" checked' in page and 'value="500"' in page


def test_share_link_rejects_bad_filters_without_500(client: TestClient) -> None:
    assert client.get("/finn?max_distance_km=-5").status_code == 422
    assert 'role="alert"' in client.get("/finn?service_type=dogn").text
    response = client.get("/finn?setting=nonsense")
    assert response.status_code == 200 and 'role="alert"' in response.text


# --- #11: the finder must be right ------------------------------------------------------------------------


def _post(client: TestClient, form: dict[str, object], lang: str = "nb") -> str:
    url = "/finn/results" + ("?lang=en" if lang == "en" else "")
    response = client.post(url, data=form, headers={"HX-Request": "true"})
    assert response.status_code == 200
    return response.text


BERGEN_ALCOHOL = {"home_area": "4601", "age": "45", "substances": ["alcohol"], "view": "public"}


def test_acute_crisis_page_shows_emergency_help_not_a_deadline(client: TestClient) -> None:
    html = _post(client, BERGEN_ALCOHOL | {"acute_crisis": "1"})
    assert "Øyeblikkelig hjelp" in html and "113" in html and "116 117" in html
    assert "Veiledende frist for oppstart" not in html and "innen 10 virkedager" not in html
    assert 'href="/enhet/hb-akuttposten"' in html


def test_results_are_grouped_with_show_more_and_link_to_unit_pages(client: TestClient) -> None:
    html = _post(client, BERGEN_ALCOHOL)
    assert "I ditt opptaksområde" in html and "I din region" in html
    assert "<details" in html and "Vis " in html  # more without JavaScript
    assert html.count('class="result"') > html.split("<details", 1)[0].count('class="result"')
    assert 'href="/enhet/' in html.split('class="result"', 1)[1][:400]
    assert "data-finder-status" in html


def test_page_moves_to_results_and_has_a_status_region(client: TestClient) -> None:
    html = client.get("/finn").text
    assert 'action="/finn/results#results"' in html
    assert 'id="finder-status"' in html and 'aria-live="polite"' in html


def test_oslo_without_bydel_asks_for_it(client: TestClient) -> None:
    html = _post(client, BERGEN_ALCOHOL | {"home_area": "0301"})
    assert "Hvilken bydel i Oslo?" in html and 'name="bydel" form="finder-form"' in html
    assert "Opptaksområdet til" in html  # one group per trust that serves Oslo
    chosen = _post(client, BERGEN_ALCOHOL | {"home_area": "0301", "bydel": "030105"})
    assert "Hvilken bydel i Oslo?" not in chosen and "I ditt opptaksområde" in chosen


def test_postal_code_on_the_form(client: TestClient) -> None:
    assert 'name="postal_code"' in client.get("/finn").text
    html = _post(client, BERGEN_ALCOHOL | {"home_area": "", "postal_code": "5003"})
    assert "I ditt opptaksområde" in html
    oslo = _post(client, BERGEN_ALCOHOL | {"home_area": "", "postal_code": "0557"})
    assert "Hvilken bydel i Oslo?" in oslo
    unknown = _post(client, BERGEN_ALCOHOL | {"home_area": "", "postal_code": "0000"})
    assert 'role="alert"' in unknown and "postnummer" in unknown.lower()
    english = _post(client, BERGEN_ALCOHOL | {"home_area": "", "postal_code": "0000"}, lang="en")
    assert "This postal code is not in Posten Bring&#39;s postal code register." in english


def test_api_accepts_a_postal_code(client: TestClient) -> None:
    body = client.post("/api/v1/finder", json={"profile": {"postal_code": "9600", "age": 30}}).json()
    assert body["home"]["code"] == "5603" and body["home"]["postal_code"] == "9600"
    bad = client.post("/api/v1/finder", json={"profile": {"postal_code": "0000", "age": 30}})
    assert bad.status_code == 422 and "postal" in bad.text.lower()


def test_finder_results_show_where_to_get_help_now(client: TestClient) -> None:
    html = client.post("/finn/results", data=_form(), headers={"HX-Request": "true"}).text
    assert 'class="help-now"' in html and 'href="tel:113"' in html and 'href="tel:116117"' in html


def test_api_answer_is_the_response_model_serialised(client: TestClient, reference_engine: Engine) -> None:
    # The JSON is written in the worker thread that searched: the same bytes FastAPI writes for response_model.
    response = client.post(
        "/api/v1/finder", json={"profile": ALTA, "explain": True}, headers={"Accept-Encoding": "br, gzip"}
    )
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    # Compressed in the worker thread that searched (the middleware would do it on the event loop).
    assert response.headers["content-encoding"] == "br" and response.headers["vary"] == "Accept-Encoding"
    expected = find(Registry(reference_engine).snapshot(), NeedProfile(**ALTA), today=today(), explain=True)
    assert response.content == TypeAdapter(FinderResult).dump_json(expected)
