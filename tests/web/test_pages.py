"""HTML pages through the app: map, unit and area pages, language switch, geometry, errors, escaping."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import date
from html import unescape as html_unescape

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import Engine

from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Organisation, Provenance, Unit
from tsbkart.registry.store import Registry, Upsert
from tsbkart.settings import Settings
from tsbkart.web.app import create_app
from tsbkart.web.i18n import catalogue


@pytest.fixture(scope="module")
def client(reference_engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=str(reference_engine.url)), Registry(reference_engine))
    with TestClient(app) as test_client:
        yield test_client


def test_map_lists_every_unit_without_javascript(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert html.count('class="result"') == 143
    assert 'href="#main"' in html and '<main id="main"' in html
    assert 'lang="nb"' in html and "Tegnforklaring" in html
    assert "/static/js/map.js" in html and "<script>" not in html  # no inline script (CSP script-src 'self')
    assert 'style="' not in html


def test_map_honours_the_query_string(client: TestClient) -> None:
    html = client.get("/?service_type=akutt&area=helse-nord").text
    count = html.count('class="result"')
    assert 0 < count < 143
    assert 'value="akutt" checked' in html
    assert 'value="helse-nord" selected' in html


def test_bad_filter_is_a_400_page_with_the_reason(client: TestClient) -> None:
    response = client.get("/?service_type=teleport")
    assert response.status_code == 400
    assert "teleport" in response.text and 'role="alert"' in response.text


def test_unit_page_shows_sources_freshness_and_referral(client: TestClient) -> None:
    response = client.get("/enhet/unn-avrusning-tromso")
    assert response.status_code == 200
    html = response.text
    assert "Avrusning Tromsø" in html
    assert "badge-" in html and "Kontrollert" in html
    assert "https://www.unn.no/avdelinger/psykisk-helse-og-rusklinikken" in html
    assert "Vurderingsinstans for TSB, UNN" in html and "(utledet)" in html
    assert "Vurderingsteamet for hele TSB i pasientens opptaksområde" in html  # the routing basis
    assert "Omtrentlig plassering" in html


@pytest.mark.parametrize(
    "url", ["/omrade/rhf/helse-nord", "/omrade/hf/unn", "/omrade/kommune/0301", "/omrade/kommune/030101"]
)
def test_area_pages_show_the_matrix(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert "Basistjenester" in response.text and "per 10 000 voksne" in response.text


def test_area_page_shows_how_many_units_state_each_fact(client: TestClient) -> None:
    html = client.get("/omrade/hf/sorlandet").text
    assert "Hva registeret vet om enhetene her" in html and "Telefon" in html and " av 11 " in html
    english = client.get("/omrade/hf/sorlandet?lang=en").text
    assert "What the registry knows about these units" in english and "Web page" in english


def test_area_matrix_links_to_the_units_behind_it(client: TestClient) -> None:
    html = client.get("/omrade/hf/unn").text
    assert 'class="cell cell-present"' in html and 'href="/enhet/unn-avrusning-tromso"' in html
    assert "cell-missing" not in html  # no steward declarations: nothing is called missing


@pytest.mark.parametrize(
    "url",
    ["/enhet/nope", "/omrade/hf/atlantis", "/omrade/rhf/x", "/omrade/kommune/9999", "/enhet/%3Cscript%3E"],
)
def test_unknown_ids_are_404_pages(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"] and "<script>" not in response.text


def test_language_switch_sets_a_cookie_and_sticks(client: TestClient) -> None:
    client.cookies.clear()  # earlier tests' ?lang=en left the cookie (it is set only when it changes)
    response = client.get("/?lang=en")
    assert response.status_code == 200 and 'lang="en"' in response.text and "Legend" in response.text
    assert "lang=en" in response.headers["set-cookie"]
    again = client.get("/enhet/unn-avrusning-tromso")
    assert 'lang="en"' in again.text and "How to be referred" in again.text
    back = client.get("/?lang=nb")
    assert 'lang="nb"' in back.text
    client.cookies.clear()


def test_the_language_cookie_is_set_only_when_it_changes(client: TestClient) -> None:
    client.cookies.set("lang", "en")
    same = client.get("/?lang=en")
    assert 'lang="en"' in same.text and "set-cookie" not in same.headers
    changed = client.get("/?lang=nb")
    assert 'lang="nb"' in changed.text and "lang=nb" in changed.headers["set-cookie"]
    client.cookies.clear()


def test_pages_vary_on_the_cookie_that_picks_their_language(client: TestClient) -> None:
    # The page is in the lang cookie's language: a shared cache must not give one visitor's page to another.
    response = client.get("/enhet/unn-avrusning-tromso")
    assert {"Cookie", "Accept-Encoding"} <= {v.strip() for v in response.headers["vary"].split(",")}


def test_language_switch_link_keeps_the_query(client: TestClient) -> None:
    html = client.get("/?service_type=akutt").text
    assert 'href="/?service_type=akutt&amp;lang=en"' in html


def test_geometry_is_served_with_long_cache(client: TestClient) -> None:
    for url in ("/geo/kommuner.geojson", "/geo/opptaksomrader.geojson"):
        response = client.get(url)
        assert response.status_code == 200
        assert "max-age=604800" in response.headers["cache-control"]
        assert response.json()["type"] == "FeatureCollection"
    features = client.get("/geo/opptaksomrader.geojson").json()["features"]
    assert {f["properties"]["code"] for f in features} >= {"unn", "ous", "akershus"}
    assert [f["properties"]["name"] for f in features if f["properties"]["split_by_bydel"]] == ["Oslo"]


def test_bokmal_catalogue_is_complete() -> None:
    nb, en = catalogue("nb"), catalogue("en")
    for message in ("Skip to main content", "Approximate location", "Basic services", "How to be referred"):
        assert nb.gettext(message) != message
        assert en.gettext(message) == message


def test_names_are_escaped(engine: Engine) -> None:
    registry = Registry(engine)
    source = Provenance("https://example.org", verified=date(2026, 1, 1))
    registry.commit(
        [
            Upsert(Organisation("evil-org", "<b>Org</b>", "hf", source)),
            Upsert(Unit("evil", "<script>alert(1)</script>", "evil-org", source)),
        ],
        actor=Actor.cli("test"),
        reason="escaping test",
    )
    with TestClient(create_app(Settings(database_url=str(engine.url)), registry)) as test_client:
        for url in ("/", "/enhet/evil"):
            html = test_client.get(url).text
            assert "<script>alert(1)</script>" not in html
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_every_template_message_has_a_bokmal_translation() -> None:
    import re
    from importlib import resources

    folder = resources.files("tsbkart.web") / "templates"
    pattern = re.compile(r"""(?<![A-Za-z])_\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""")
    nb = catalogue("nb")
    untranslated = []
    for entry in folder.iterdir():
        if entry.name.endswith(".html"):
            for match in pattern.finditer(entry.read_text(encoding="utf-8")):
                message = match.group(1) or match.group(2)
                if nb.gettext(message) == message and message not in ("Status", "Atlas"):
                    untranslated.append((entry.name, message))
    assert untranslated == []


@pytest.mark.parametrize("side", ["abc", "-1", "99999999999", "2"])
def test_list_page_parameter_never_fails(client: TestClient, side: str) -> None:
    response = client.get(f"/?side={side}")
    assert response.status_code == 200
    assert response.text.count('class="result"') == 143  # the bundled registry fits on one page
    assert 'id="pager"' not in response.text


def test_tile_layer_only_when_configured(reference_engine: Engine) -> None:
    import html
    import json
    import re

    def config(settings: Settings) -> dict[str, str]:
        with TestClient(create_app(settings, Registry(reference_engine))) as test_client:
            page = test_client.get("/").text
        match = re.search(r'data-config="([^"]*)"', page)
        assert match is not None
        loaded: dict[str, str] = json.loads(html.unescape(match.group(1)))
        return loaded

    url = str(reference_engine.url)
    assert config(Settings(database_url=url))["tileUrl"] == ""
    tiles = config(
        Settings(
            database_url=url,
            tile_url="https://tiles.example.org/{z}/{x}/{y}.png",
            tile_attribution="© Example",
        )
    )
    assert tiles["tileUrl"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert tiles["tileAttribution"] == "© Example"


def _filter_panel(html: str) -> tuple[str, str]:
    """The map page's ``<details id="filter-panel" ...>`` start tag and its summary's text."""
    import re

    tag = re.search(r'<details id="filter-panel"[^>]*>', html)
    summary = re.search(r'<summary class="filter-summary">(.*?)</summary>', html, re.S)
    assert tag is not None and summary is not None
    return tag.group(0), re.sub(r"<[^>]+>", "", summary.group(1)).strip()


@pytest.mark.parametrize(
    ("query", "label", "active"),
    [
        ("lang=nb", "Filtre", 0),
        ("lang=nb&service_type=akutt&area=helse-nord", "Filtre (2)", 2),
        # Each chosen value counts: two service types, the around-the-clock box and the text.
        ("lang=nb&service_type=akutt&service_type=avrusning&open_24_7=true&q=Troms%C3%B8", "Filtre (4)", 4),
        ("lang=nb&q=+++", "Filtre", 0),  # blank text is no filter
        ("lang=en", "Filters", 0),
        ("lang=en&owner_type=hf", "Filters (1)", 1),
    ],
)
def test_filter_panel_summary_names_and_counts_the_active_filters(
    client: TestClient, query: str, label: str, active: int
) -> None:
    try:
        response = client.get(f"/?{query}")
    finally:
        client.cookies.clear()  # ?lang= sets the language cookie; later tests expect the default
    assert response.status_code == 200
    tag, summary = _filter_panel(response.text)
    assert summary == label
    # Always open in the HTML (nothing hidden without JavaScript); map.js reads the count to decide on phones.
    assert " open " in tag
    assert f'data-active-filters="{active}"' in tag
    assert "data-keep-open" not in tag


def test_filter_panel_stays_open_when_the_filter_failed(client: TestClient) -> None:
    response = client.get("/?service_type=teleport")
    assert response.status_code == 400
    tag, summary = _filter_panel(response.text)
    assert summary == "Filtre"  # the failed filter is not applied, so none is active
    assert " open " in tag and "data-keep-open" in tag


def test_unit_page_shows_phone_and_web_page_at_the_top(client: TestClient) -> None:
    html = client.get("/enhet/unn-narvik-dogn").text
    summary = html[html.index('<dl class="summary">') : html.index("</dl>")]
    assert 'href="tel:76965620"' in summary and "769 65 620" in summary
    assert 'href="https://www.unn.no/steder/russeksjon-narvik-nordlandsklinikken/"' in summary


NAV = ('href="/"', 'href="/finn"', 'href="/omrade"', 'href="/atlas"', 'href="/plan"')


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/finn",
        "/atlas",
        "/atlas/rapport/unn",
        "/omrade",
        "/omrade/hf/unn",
        "/enhet/unn-avrusning-tromso",
        "/om-rusbehandling",
        "/nowhere",
    ],
)
def test_every_page_has_the_one_header_and_navigation(client: TestClient, url: str) -> None:
    html = client.get(url).text
    header = html[html.index('<header class="site-header">') : html.index("</header>")]
    assert all(link in header for link in NAV)  # /finn and /atlas had their own or no navigation
    assert "Kart" in header and "Finn behandling" in header and "Områder" in header and "Atlas" in header
    assert "Planlegging" in header
    assert 'class="lang-switch"' in header and "lang=en" in header


def test_navigation_marks_the_current_section(client: TestClient) -> None:
    header = client.get("/omrade/hf/unn").text.split("</header>")[0]
    assert '<a href="/omrade" aria-current="true">' in header
    assert '<a href="/finn" aria-current="page">' in client.get("/finn").text
    assert '<a href="/plan" aria-current="true">' in client.get("/plan/kapasitet").text.split("</header>")[0]


def test_areas_index_lists_regions_catchments_and_municipalities(client: TestClient) -> None:
    response = client.get("/omrade")
    assert response.status_code == 200
    html = response.text
    assert 'href="/omrade/rhf/helse-nord"' in html and 'href="/omrade/hf/unn"' in html
    assert 'href="/omrade/kommune/5501"' in html  # Tromsø
    assert (
        'href="/omrade/kommune/0301"' in html and 'href="/omrade/kommune/030101"' in html
    )  # Oslo and a bydel
    assert "357 kommuner" in html


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        ("nb", ("Hva er TSB?", "Innen 10 virkedager", "116 117", "Kilder")),
        ("en", ("What is TSB?", "Within 10 working days", "116 117", "Sources")),
    ],
)
def test_patient_page_in_both_languages_with_sources(
    client: TestClient, lang: str, texts: tuple[str, ...]
) -> None:
    response = client.get(f"/om-rusbehandling?lang={lang}")
    client.cookies.clear()
    assert response.status_code == 200
    html = response.text
    assert all(text in html for text in texts)
    citations = set(re.findall(r'href="#source-(\d+)"', html))
    listed = set(re.findall(r'<li id="source-(\d+)"><a href="https://', html))
    assert citations and citations <= listed  # every citation points at a listed source with a link


@pytest.mark.parametrize("url", ["/finn", "/enhet/unn-avrusning-tromso"])
def test_finder_and_unit_pages_link_the_patient_page(client: TestClient, url: str) -> None:
    main = client.get(url).text.split('<main id="main"')[1].split("</main>")[0]
    assert 'href="/om-rusbehandling"' in main


def test_unit_page_provenance_and_confidence_are_in_the_users_language(client: TestClient) -> None:
    html = client.get("/enhet/unn-avrusning-tromso").text
    assert "hentet av tsbkarts datainnsamlere" in html
    assert "retrieved by the tsbkart data compilers" not in html  # was English on the bokmål page
    assert ">high<" not in html and ">medium<" not in html
    english = client.get("/enhet/unn-avrusning-tromso?lang=en").text
    client.cookies.clear()
    assert "retrieved by the tsbkart data compilers" in english


def test_area_page_offers_a_map_of_its_units_and_downloads(client: TestClient) -> None:
    html = client.get("/omrade/hf/unn").text
    config = json.loads(html_unescape(re.search(r'id="area-map"[^>]*data-config="([^"]+)"', html)[1]))
    assert {u["url"] for u in config["units"]} <= {
        f"/enhet/{u}" for u in re.findall(r'href="/enhet/([^"]+)"', html)
    }
    assert config["units"] and all(u["lat"] is not None for u in config["units"])
    for name in ("matrise.csv", "enheter.csv", "omrade.xlsx"):
        assert f'href="/omrade/hf/unn/{name}"' in html


def test_area_downloads_hold_the_matrix_and_the_units(client: TestClient) -> None:
    matrix = list(csv.reader(io.StringIO(client.get("/omrade/hf/unn/matrise.csv").text)))
    assert matrix[0][:2] == ["basic_service", "status"]
    assert {row[0] for row in matrix[1:]} == {
        "vurdering",
        "akutt",
        "avrusning",
        "poliklinikk_ambulant",
        "dogn",
    }
    units = client.get("/omrade/hf/unn/enheter.csv")
    assert units.headers["content-type"].startswith("text/csv")
    assert "attachment" in units.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(units.text)))
    assert "unn-avrusning-tromso" in {r["id"] for r in rows}
    workbook = load_workbook(io.BytesIO(client.get("/omrade/kommune/5501/omrade.xlsx").content))
    assert workbook.sheetnames == ["matrix", "units"]
    assert client.get("/omrade/hf/unn/secrets.csv").status_code == 404
    assert client.get("/omrade/fylke/unn/matrise.csv").status_code == 404
    assert client.get("/omrade/hf/atlantis/matrise.csv").status_code == 404


def test_area_downloads_neutralise_formulas(engine: Engine) -> None:
    registry = Registry(engine)
    source = Provenance("https://example.org", verified=date(2026, 1, 1))
    registry.commit(
        [
            Upsert(Organisation("evil-org", '=HYPERLINK("x")', "hf", source)),
            Upsert(Unit("evil", "@SUM(A1)", "evil-org", source, catchment_code="unn")),
        ],
        actor=Actor.cli("test"),
        reason="formula guard test",
    )
    with TestClient(create_app(Settings(database_url=str(engine.url)), registry)) as test_client:
        text = test_client.get("/omrade/hf/unn/enheter.csv").text
        assert "'@SUM(A1)" in text and "'=HYPERLINK" in text
        sheet = load_workbook(io.BytesIO(test_client.get("/omrade/hf/unn/omrade.xlsx").content))["units"]
        cells = [c for row in sheet.iter_rows() for c in row if c.value == "@SUM(A1)"]
        assert cells and all(c.data_type == "s" for c in cells)  # text, never a formula


def test_a_stored_non_web_address_is_never_a_link(
    sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Data written before the content rules (validation switched off here to store it, as such a database
    # would hold it): the page shows the text, never a live javascript: link.
    from tsbkart.db.migrate import upgrade
    from tsbkart.registry import store

    upgrade(sqlite_engine)
    monkeypatch.setattr(store, "validate_records", lambda *args, **kwargs: [])
    registry = Registry(sqlite_engine)
    provenance = Provenance("javascript:alert('source')")
    registry.commit(
        [
            Upsert(Organisation("org", "Org", "hf", provenance, website="javascript:alert('org')")),
            Upsert(Unit("u1", "Unit", "org", provenance, website="javascript:alert(document.cookie)")),
        ],
        actor=Actor.cli("test"),
        reason="legacy data",
    )
    monkeypatch.undo()
    app = create_app(Settings(database_url=str(sqlite_engine.url)), registry)
    with TestClient(app) as client:
        html = client.get("/enhet/u1").text
    assert "javascript:alert(document.cookie)" in html  # shown as text
    assert 'href="javascript' not in html.lower() and "href='javascript" not in html.lower()


def test_map_near_search_takes_a_postal_code(client: TestClient) -> None:
    # #11: the map's "near" field accepts a postal code; an unknown one gives a clear message.
    html = client.get("/?near=5003").text
    assert 'name="near"' in html and 'value="5003"' in html
    unknown = client.get("/?near=0000")
    assert (
        unknown.status_code == 400
        and "Postnummeret finnes ikke i Posten Brings postnummerregister." in unknown.text
    )
    english = client.get("/?near=0000&lang=en")
    assert "This postal code is not in Posten Bring&#39;s postal code register." in english.text


# --- Filters never answer a bare 0 (#11) ---------------------------------------------------------------------


def test_a_target_group_filter_lists_and_labels_and_counts(client: TestClient) -> None:
    """Before #11 /?target_group=alcohol listed 0 of the units, with no word why."""
    html = client.get("/?target_group=alcohol&lang=nb").text
    assert html.count('class="result"') > 100
    assert 'data-fit="possible"' in html and "Ingen målgruppe oppgitt: kan ta imot" in html
    assert "0 enheter oppgir at de tar imot denne gruppen" in html
    young = client.get("/?target_group=young&match=stated&lang=nb").text
    assert 'data-fit="possible"' not in young and 'data-fit="stated_for_unit"' in young
    assert "Målgruppen er oppgitt for hele enheten" in young and 'value="stated" checked' in young


def test_an_empty_map_says_why_and_links_each_way_out(client: TestClient) -> None:
    html = client.get("/?service_type=akutt&area=finnmark&lang=nb").text
    assert html.count('class="result"') == 0
    assert "Ingen enheter passer med alle filtrene" in html
    assert 'href="/?area=finnmark"' in html  # drop the service type
    assert 'href="/?service_type=akutt"' in html  # drop the area
    assert 'href="/?service_type=akutt&amp;area=helse-nord"' in html  # widen to the region
    assert "Utvid området til Helse Nord" in html


def test_an_oslo_bydel_says_no_unit_states_one_and_widens_to_oslo(client: TestClient) -> None:
    """The bundled Oslo units carry municipality 0301 and no bydel: the empty list says so (#9)."""
    html = client.get("/?area=030101&lang=nb").text
    assert html.count('class="result"') == 0
    assert "Ingen enhet i registeret er plassert i denne bydelen" in html
    assert 'href="/?area=0301"' in html and "Utvid området til Oslo" in html
    english = client.get("/?area=030101&lang=en").text
    assert "No unit in the registry is placed in this city district" in english
    explanation = client.get("/api/v1/units?area=030101").json()["explanation"]
    assert explanation["reason"] == "bydel_not_stated" and "0301" in explanation["message"]


def test_the_explanation_fragment_matches_the_page(client: TestClient) -> None:
    fragment = client.get("/kart/forklaring?service_type=akutt&area=finnmark&lang=nb")
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<div id="explanation"')
    assert "Ingen enheter passer med alle filtrene" in fragment.text
    assert client.get("/kart/forklaring?service_type=teleport").status_code == 200  # a bad filter: no filter


@pytest.mark.parametrize("path", ["/?lang=nb", "/enhet/unn-avrusning-tromso?lang=nb", "/?q=zzzz&lang=nb"])
def test_every_answer_shows_where_to_get_help_now_with_sources(client: TestClient, path: str) -> None:
    html = client.get(path).text
    assert 'href="tel:113"' in html and 'href="tel:116117"' in html
    help_block = html.split('class="help-now"', 1)[1].split("</aside>", 1)[0]
    assert help_block.count('rel="noopener">kilde</a>') == 3
    # the national helpline by its web address (no source states its current number), with its source
    assert (
        'href="https://rusinfo.no/"' in help_block and "nasjonale opplysningstjenesten om rus" in help_block
    )
    assert "tel:08588" not in help_block


def test_the_unit_page_shows_target_groups_stated_for_the_unit(client: TestClient) -> None:
    html = client.get("/enhet/fossum-valnesfjord?lang=nb").text
    assert "oppgitt for enheten" in html and "Ungdom og unge voksne" in html


def test_the_unit_page_shows_the_new_referrer_facts_as_unknown_until_stated(client: TestClient) -> None:
    html = client.get("/enhet/unn-avrusning-tromso?lang=nb").text
    for label in ("Åpningstider", "Fysisk tilgjengelighet", "Leveringsform"):
        row = html.split(f'<th scope="row">{label}</th>', 1)[1].split("</tr>", 1)[0]
        assert "ukjent" in row and ">nei<" not in row, label
