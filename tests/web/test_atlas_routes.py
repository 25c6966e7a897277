"""Atlas pages through the app: every catchment area's report shows its coverage matrix, unknown as unknown."""

from __future__ import annotations

import io
import json
import re
import warnings
from collections.abc import Iterator

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from tsbkart.atlas.indicators import indicators
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.vocab.loader import load_vocabularies
from tsbkart.web.app import create_app

# Starlette (pinned) warns on import that its TestClient uses httpx; pyproject turns warnings into errors.
# Not ours to change: silence that one import so the atlas routes can be tested.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

CELL = re.compile(r'data-service="([a-z_]+)" data-status="([a-z]+)"')


@pytest.fixture(scope="module")
def client(reference_engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=str(reference_engine.url)), registry=Registry(reference_engine))
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def snapshot(reference_engine: Engine) -> RegistrySnapshot:
    return Registry(reference_engine).snapshot()


def _offered(snapshot: RegistrySnapshot, catchment: str) -> set[str]:
    """Basic services and LAR types the registry holds in the catchment, computed here independently."""
    basic = {t.code: t.get("basic_service") for t in load_vocabularies()["service_types"]}
    found: set[str] = set()
    for unit in snapshot.units.values():
        if unit.catchment_code != catchment:
            continue
        for offer in snapshot.offers_of(unit.id):
            found.add(offer.service_type)
            if basic.get(offer.service_type):
                found.add(str(basic[offer.service_type]))
    if any(t.catchment_code == catchment and t.scope == "all_tsb" for t in snapshot.teams.values()):
        found.add("vurdering")
    return found


def test_every_catchment_report_shows_its_matrix_with_unknown_as_unknown(
    client: TestClient, snapshot: RegistrySnapshot
) -> None:
    columns = [*load_vocabularies()["basic_services"].codes, "lar", "lar_lavterskel"]
    assert len(snapshot.geography.catchments) == 21
    unknown_seen = 0
    for code in snapshot.geography.catchments:
        for lang, word in (("nb", "ukjent"), ("en", "unknown")):
            response = client.get(f"/atlas/rapport/{code}?lang={lang}")
            assert response.status_code == 200, code
            cells = dict(CELL.findall(response.text))
            assert list(cells) == columns, code
            offered = _offered(snapshot, code)
            for column, status in cells.items():
                # No declarations are bundled, so an absent offer must show as unknown, never as missing.
                assert status == ("present" if column in offered else "unknown"), (code, column)
            if "unknown" in cells.values():
                unknown_seen += 1
                assert f'<span class="status-badge">{word}</span>' in response.text, (code, lang)
    assert unknown_seen > 0


def test_report_pdf(client: TestClient) -> None:
    response = client.get("/atlas/rapport/unn.pdf")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_report_has_print_stylesheet_and_caveat(client: TestClient) -> None:
    html = client.get("/atlas/rapport/finnmark?lang=nb").text
    assert "/static/atlas/report.css" in html
    assert "IKKE verifisert" in html  # the Helseatlas caveat, wherever the rates are shown
    css = client.get("/static/atlas/report.css").text
    assert "@media print" in css and "@page" in css


def test_index_lists_indicators_and_reports(client: TestClient) -> None:
    html = client.get("/atlas").text
    for item in indicators():
        assert f'href="/atlas/{item.id}"' in html
    assert html.count('href="/atlas/rapport/') == 2 * 21


def test_indicator_page_has_svg_chart_table_and_map_without_inline_script(client: TestClient) -> None:
    html = client.get("/atlas/helseatlas_pasientrate_18_24?lang=en").text
    chart = html.split('<figure class="atlas-chart">', 1)[1].split("</figure>", 1)[0]
    assert chart.startswith('<svg role="img"') and "<title id=" in chart and "<desc id=" in chart
    assert chart.count('aria-label="ci_low: ') == 21  # an interval line per catchment (Vega-Lite rule)
    assert chart.count('aria-roledescription="bar"') == 21
    assert '<table class="atlas-table"' in html
    assert 'data-values="/atlas/helseatlas_pasientrate_18_24.json"' in html
    assert "NOT verified" in html
    assert "<script>" not in html and "/static/atlas/atlas-map.js" in html


def test_capacity_page_counts_oslo_residents_in_no_listed_bydel(client: TestClient) -> None:
    # Sentrum, Marka and "unknown district" have no population rows; their residents (Oslo's total minus its
    # listed bydeler) belong to OUS, so OUS has a known denominator and a value.
    data = client.get("/atlas/beds_per_10k.json").json()
    values = {a["code"]: a["value"] for a in data["areas"]}
    assert values["ous"] is not None and values["ous"] > 0
    html = client.get("/atlas/beds_per_10k?lang=nb").text
    assert html.count('aria-roledescription="bar"') >= 1


def test_exports(client: TestClient) -> None:
    csv_response = client.get("/atlas/share_60km_dogn.csv")
    assert csv_response.status_code == 200 and csv_response.text.startswith("code,name,region_code,value")
    assert len(csv_response.text.strip().splitlines()) == 22
    data = json.loads(client.get("/atlas/share_60km_dogn.json").text)
    assert data["indicator"]["id"] == "share_60km_dogn" and len(data["areas"]) == 21
    book = load_workbook(io.BytesIO(client.get("/atlas/share_60km_dogn.xlsx").content))
    assert book["data"].max_row == 22


@pytest.mark.parametrize(
    "path", ["/atlas/nope", "/atlas/beds_per_10k.exe", "/atlas/rapport/nope", "/atlas/rapport/unn.docx"]
)
def test_bad_paths_are_404_not_500(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_boundaries_for_the_choropleth_are_served(client: TestClient) -> None:
    response = client.get("/geo/opptaksomrader.geojson")
    assert response.status_code == 200
    codes = {f["properties"]["code"] for f in response.json()["features"]}
    assert "unn" in codes


def test_report_has_a_planning_section_saying_which_projection_and_rates(client: TestClient) -> None:
    html = client.get("/atlas/rapport/unn?lang=nb").text
    section = html.split('id="planning-title"', 1)[1].split("</section>", 1)[0]
    assert "Planlegging mot 2040" in html and "hamilton-perry" in section
    assert "nasjonale rater (2018) brukt for alle områder" in section
    assert "De samme nasjonale ratene brukes for alle opptaksområder" in section
    for year in ("2026", "2030", "2035", "2040"):
        assert f'<th scope="col">{year}</th>' in section
    assert "Senger" in section and "Alle aldre" in section
    english = client.get("/atlas/rapport/unn?lang=en").text
    assert "national rates (2018) applied to every area" in english.split('id="planning-title"', 1)[1]
