"""Planning pages through the app: charts rendered on the server, downloads, bad parameters answered."""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.web.app import create_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient


@pytest.fixture(scope="module")
def client(reference_engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=str(reference_engine.url)), registry=Registry(reference_engine))
    with TestClient(app) as test_client:
        yield test_client


def test_the_index_links_the_three_pages(client: TestClient) -> None:
    body = client.get("/plan?lang=nb").text
    assert "Planlegging mot 2040" in body
    for path in ("/plan/befolkning", "/plan/kapasitet", "/plan/gylden-regel"):
        assert f'href="{path}"' in body


def test_population_page_names_its_projection_and_has_charts(client: TestClient) -> None:
    body = client.get("/plan/befolkning?lang=nb").text
    assert "hamilton-perry" in body and "Framskriving brukt" in body
    # Norway, then one chart per region (small multiples) under one caption.
    assert body.count('<svg role="img"') == 1 + 4 and "<script" not in body.split("</main>")[0]
    assert body.count('class="plan-grid"') == 1 and "<figcaption>Hver region etter aldersgruppe" in body
    assert "Universitetssykehuset Nord-Norge HF" in body


def test_capacity_page_says_national_rates_and_shows_stated_capacity(client: TestClient) -> None:
    body = client.get("/plan/kapasitet?lang=nb&niva=catchment").text
    assert "nasjonale rater (2018) brukt for alle områder, ikke målt lokal bruk" in body
    assert "oppgitt for" in body and "av" in body
    assert body.count('<svg role="img"') == 4 + 4 + 1  # per measure, per region, the tornado
    english = client.get("/plan/kapasitet?lang=en&scenario=demography&niva=region").text
    assert "national rates (2018) applied to every area" in english and "Demography only" in english


def test_goldenrule_page_shows_holds_fails_and_gaps(client: TestClient) -> None:
    body = client.get("/plan/gylden-regel?lang=nb&gruppe=costs&sektor=TSB").text
    assert "holder" in body and "hull" in body and "holder ikke" in body
    assert "Den gylne regel" in body


def test_downloads_carry_the_same_numbers_with_what_they_are(client: TestClient) -> None:
    csv = client.get("/plan/befolkning.csv?niva=region")
    assert csv.status_code == 200 and csv.text.startswith(
        "year,level,code,name,age_group,population,projection"
    )
    data = client.get("/plan/kapasitet.json?scenario=illustrative&niva=catchment").json()
    assert "national rates" in data["about"]["usage"] and data["about"]["scenario"] == "illustrative"
    assert {r["output"] for r in data["rows"]} >= {"beds", "bed_days", "man_years"}
    book = load_workbook(io.BytesIO(client.get("/plan/gylden-regel.xlsx").content))
    assert book.sheetnames == ["data", "about"]
    assert json.loads(client.get("/plan/gylden-regel.json").text)["about"]["group"] == "costs"


@pytest.mark.parametrize(
    "path,status",
    [
        ("/plan/nothing", 404),
        ("/plan/befolkning.pdf", 404),
        ("/plan/kapasitet?scenario=nope", 400),
        ("/plan/befolkning?niva=planet", 400),
        ("/plan/gylden-regel?sektor=dentistry", 400),
    ],
)
def test_bad_parameters_get_a_page_not_a_500(client: TestClient, path: str, status: int) -> None:
    response = client.get(path + ("&" if "?" in path else "?") + "lang=nb")
    assert response.status_code == status
    assert "text/html" in response.headers["content-type"]


def test_trend_page_has_charts_tables_basis_and_downloads(client: TestClient) -> None:
    body = client.get("/plan/utvikling?lang=nb").text
    assert "Utvikling i registeret" in body and "gyldighetstid" in body
    assert body.count('<svg role="img"') == 1 + 4 and "<script" not in body.split("</main>")[0]
    assert "Helse Nord RHF" in body
    for indicator in ("basic_services_coverage", "beds_per_10k", "verified_share"):
        page_ = client.get(f"/plan/utvikling?lang=en&indikator={indicator}&niva=catchment")
        assert page_.status_code == 200 and "Trends from the registry" in page_.text
    data = client.get("/plan/utvikling.json?indikator=beds_per_10k&niva=nation").json()
    assert data["about"]["indicator"] == "beds_per_10k" and "valid time" in data["about"]["basis"]
    assert {row["level"] for row in data["rows"]} == {"nation"}
    assert client.get("/plan/utvikling.csv?niva=region").text.startswith("date,")
    workbook = load_workbook(io.BytesIO(client.get("/plan/utvikling.xlsx").content))
    assert workbook.sheetnames == ["data", "about"]
    assert client.get("/plan/utvikling?indikator=nope").status_code == 400
    assert 'href="/plan/utvikling"' in client.get("/plan?lang=nb").text


def test_warm_up_builds_what_the_first_visit_needs(client: TestClient) -> None:
    from tsbkart.domain.calendar import today
    from tsbkart.web import planning

    state = client.app.state.tsbkart  # type: ignore[attr-defined]
    planning.warm_planning(state)  # what lifespan runs in a worker thread when TSBKART_WARM_PLANNING is on
    assert planning._projection.cache_info().currsize == 1
    assert planning._capacity_frame.cache_info().currsize >= 3
    frame = planning.trends_of(state.snapshot(), state.registry.engine, today())
    assert frame is planning.trends_of(state.snapshot(), state.registry.engine, today())  # kept per revision


def test_lifespan_warms_planning_in_a_thread_when_enabled(reference_engine: Engine) -> None:
    import threading

    from tsbkart.web import operations

    started: list[str] = []
    original = operations.warm_planning
    operations.warm_planning = lambda state: started.append(threading.current_thread().name)  # type: ignore[assignment]
    try:
        settings = Settings(database_url=str(reference_engine.url), warm_planning=True)
        with TestClient(create_app(settings, registry=Registry(reference_engine))):
            for _ in range(100):
                if started:
                    break
                threading.Event().wait(0.05)
    finally:
        operations.warm_planning = original  # type: ignore[assignment]
    assert started == ["tsbkart-warm-planning"]


def test_trend_table_has_one_row_per_area(client: TestClient) -> None:
    body = client.get("/plan/utvikling?lang=nb&niva=region").text
    table = body.split('<table class="plan-table">', 1)[1].split("</table>", 1)[0]
    assert table.count('<th scope="row">') == 4  # the four regions, once each (not every code x name)
