"""The page cache: public answers to anonymous visitors kept per revision, everything else passed through."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import Engine

from tests.web.api_client import TestClient, app_for
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Organisation, Provenance
from tsbkart.registry.store import Upsert
from tsbkart.web.operations.page_cache import PageCache, _keepable, cacheable_routes, encoding_class


def page_counts(client: TestClient) -> dict[str, float]:
    counts = {"hit": 0.0, "miss": 0.0}
    for line in client.get("/metrics").text.splitlines():
        if line.startswith('tsbkart_cache_requests_total{cache="pages"'):
            counts[line.split('result="')[1].split('"')[0]] = float(line.rsplit(" ", 1)[1])
    return counts


def test_a_public_page_is_built_once_per_revision(engine: Engine) -> None:
    # its own database: this test commits (the session-wide reference database stays at revision 1)
    app, registry = app_for(engine)
    client = TestClient(app)
    first, second = client.get("/"), client.get("/")
    assert first.status_code == second.status_code == 200 and first.content == second.content
    assert page_counts(client) == {"hit": 1, "miss": 1}
    registry.commit(
        [Upsert(Organisation("org-cache", "Cache-testorganisasjonen", "hf", Provenance(source="test")))],
        actor=Actor.cli("test"),
        reason="new revision",
    )
    third = client.get("/api/v1/organisations?q=cache-testorganisasjonen")
    assert third.json()["total"] == 1  # the new revision is a new key: nothing stale is served
    assert page_counts(client) == {"hit": 1, "miss": 2}


def test_the_route_template_is_logged_for_a_hit(reference_engine: Engine) -> None:
    client = TestClient(app_for(reference_engine)[0])
    unit_id = next(iter(app_for(reference_engine)[1].snapshot().units))
    client.get(f"/enhet/{unit_id}")
    client.get(f"/enhet/{unit_id}")
    metrics = client.get("/metrics").text
    assert 'route="/enhet/{unit_id}",status="200"} 2.0' in metrics


def test_languages_and_encodings_are_kept_apart(reference_engine: Engine) -> None:
    app = app_for(reference_engine)[0]
    norwegian, english = TestClient(app), TestClient(app)
    english.cookies.set("lang", "en")  # the cookie ?lang=en leaves
    assert 'lang="nb"' in norwegian.get("/om-rusbehandling").text
    first = english.get("/om-rusbehandling")
    assert 'lang="en"' in first.text and english.get("/om-rusbehandling").text == first.text
    plain = english.get("/om-rusbehandling", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == first.text
    assert 'lang="nb"' in norwegian.get("/om-rusbehandling").text
    assert page_counts(norwegian) == {"hit": 2, "miss": 3}


def test_a_language_switch_is_kept_with_the_cookie_it_sets(reference_engine: Engine) -> None:
    # Every map link to English is /?lang=en: it sets the language cookie, and was built anew on every request.
    app = app_for(reference_engine)[0]
    first, second = TestClient(app), TestClient(app)
    answers = [first.get("/?lang=en"), second.get("/?lang=en")]
    assert page_counts(first) == {"hit": 1, "miss": 1}
    assert answers[0].content == answers[1].content and 'lang="en"' in answers[1].text
    # Each visitor is told to remember the language he asked for, and nothing else.
    assert [a.headers.get_list("set-cookie") for a in answers] == [
        ["lang=en; Max-Age=31536000; Path=/; SameSite=lax"]
    ] * 2
    assert second.cookies["lang"] == "en"
    # A visitor whose cookie already holds English is not sent it again: a plain, cached page.
    again = second.get("/?lang=en")
    assert "set-cookie" not in again.headers and 'lang="en"' in again.text


def test_only_the_asked_language_cookie_may_be_kept() -> None:
    def start(*cookies: bytes) -> dict[str, object]:
        return {
            "type": "http.response.start",
            "status": 200,
            "headers": [(b"set-cookie", c) for c in cookies],
        }

    assert _keepable(start(b"lang=en; Max-Age=31536000; Path=/; SameSite=lax"), b"lang=en&q=bergen")
    assert not _keepable(start(b"lang=en; Path=/"), b"lang=nb")  # not what this request asked for
    assert not _keepable(start(b"lang=en; Path=/"), b"q=bergen")
    assert not _keepable(start(b"lang=en; Path=/"), b"lang=en&lang=nb")
    assert not _keepable(start(b"lang=xx; Path=/"), b"lang=xx")
    assert not _keepable(start(b"tsbkart_session=abc; HttpOnly"), b"lang=en")  # a visitor's own cookie
    assert not _keepable(start(b"lang=en; Path=/", b"tsbkart_csrf=abc"), b"lang=en")
    assert not _keepable(start(b"not a cookie;;=="), b"lang=en")


def test_what_is_not_kept(reference_engine: Engine) -> None:
    app = app_for(reference_engine)[0]
    client = TestClient(app)
    client.get("/readyz")
    client.get("/readyz")  # probes report the moment
    client.get("/", headers={"If-None-Match": '"x"'})  # conditional: the route answers it
    client.get("/enhet/no-such-unit")
    client.get("/enhet/no-such-unit")  # a 404 is not kept either
    signed_in = TestClient(app)
    signed_in.cookies.set("tsbkart_session", "x")  # not anonymous: passes through, not even looked up
    signed_in.get("/")
    signed_in.get("/")
    assert page_counts(client) == {"hit": 0, "miss": 2}


def test_cacheable_routes_are_the_public_gets_but_the_probes() -> None:
    templates = {template for _, template in cacheable_routes()}
    assert {"/", "/enhet/{unit_id}", "/api/v1/units", "/finn"} <= templates
    assert not templates & {"/healthz", "/readyz", "/metrics", "/api/v1/health", "/logg-inn"}


def test_encoding_class_follows_the_compressor() -> None:
    assert encoding_class("gzip, br") == "br"
    assert encoding_class("gzip") == "gzip"
    assert encoding_class("br;q=0, gzip") == "gzip"
    assert encoding_class(None) == "identity"


def test_the_cache_is_bounded_by_bytes() -> None:
    async def app(scope: object, receive: object, send: object) -> None:
        raise AssertionError("not called")

    cache = PageCache(app, max_bytes=10)  # type: ignore[arg-type]
    from tsbkart.web.operations.page_cache import Answer

    for n in range(5):
        cache._store((n,), Answer(200, [], b"12345"))
    assert list(cache._answers) == [(3,), (4,)] and cache._bytes == 10


def test_concurrent_misses_each_answer(reference_engine: Engine) -> None:
    client = TestClient(app_for(reference_engine)[0])
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: client.get("/omrade"), range(8)))
    assert {a.status_code for a in answers} == {200}
    assert len({a.content for a in answers}) == 1
