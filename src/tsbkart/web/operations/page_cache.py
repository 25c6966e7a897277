"""Public answers for anonymous visitors, kept per revision: the same request is built and compressed once.

A public page or API read depends only on the registry's revision, the day (freshness badges), the request's
path and query, the language it asks for and the encoding it accepts. For an anonymous visitor (no cookie but
the language one) every such answer is kept, already compressed, until the revision or the day changes, so a
10,000-unit map page costs its build once per revision instead of on every request. Which routes qualify is
derived from ``web/access.yaml``: every public ``GET`` route except the probes, which report the moment::

    key = (revision, day, path, query, Accept, Accept-Language, lang cookie, HX-Request, encoding class)

An answer is kept only when it is a 200 without ``no-store``/``private`` and sets no cookie but, at most, the
language cookie to the language its own ``?lang=`` asks for (``lang=en`` for ``/?lang=en`` without that cookie):
that header follows from the key alone (path, query and the ``lang`` cookie sent), so every visitor with the
same key gets the same one, and nothing of one visitor reaches another; a
conditional request (``If-None-Match``, ``If-Modified-Since``: the route answers 304 itself) or one with any
other cookie (a signed-in steward) passes through. The cache is bounded by total
bytes, least recently used out first, so arbitrary query strings cannot grow it.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from http.cookies import CookieError, SimpleCookie
from threading import Lock
from urllib.parse import parse_qs

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tsbkart.domain.calendar import today
from tsbkart.web.api.documents import accepted_encodings
from tsbkart.web.context import LANG_COOKIE
from tsbkart.web.i18n import LANGUAGES
from tsbkart.web.state import AppState, RegistryUnavailable
from tsbkart.web.stewardship.access import rule_table

# What the probes and metrics report changes by the second: never kept.
MOMENT_ROUTES = frozenset({"/healthz", "/readyz", "/metrics", "/api/v1/health"})
DEFAULT_MAX_BYTES = 64 * 1024 * 1024
# Larger answers (the 10,000-unit GeoJSON) are already kept by the document cache (web/api/documents.py).
MAX_ENTRY_BYTES = 2 * 1024 * 1024
_VARY_HEADERS = (b"accept", b"accept-language", b"hx-request")


@dataclass(frozen=True, slots=True)
class CachedRoute:
    """Stands in for the router's route on a cache hit, so logs and metrics name the route template."""

    path_format: str


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes


def cacheable_routes() -> list[tuple[re.Pattern[str], str]]:
    """(compiled path, template) of every public GET route of web/access.yaml but the probes."""
    routes = []
    for key, rule in rule_table().items():
        method, _, template = key.partition(" ")
        if rule.level == "public" and method == "GET" and template not in MOMENT_ROUTES:
            pattern, _, _ = compile_path(template)
            routes.append((pattern, template))
    return routes


def encoding_class(header: str | None) -> str:
    """The encoding the compression middleware will choose: br before gzip, else none."""
    accepted = accepted_encodings(header)
    return next((name for name in ("br", "gzip") if name in accepted), "identity")


class PageCache:
    """ASGI middleware; sits just outside the compression middleware, so it keeps compressed bodies."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = DEFAULT_MAX_BYTES,
        on_lookup: Callable[[bool], None] | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.on_lookup = on_lookup
        self._routes = cacheable_routes()
        self._answers: OrderedDict[tuple[object, ...], Answer] = OrderedDict()
        self._bytes = 0
        self._lock = Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key_and_route = self._key(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if key_and_route is None:
            await self.app(scope, receive, send)
            return
        key, template = key_and_route
        with self._lock:
            found = self._answers.get(key)
            if found is not None:
                self._answers.move_to_end(key)
        self._count(found is not None, scope)
        if found is not None:
            scope["route"] = CachedRoute(template)
            await send({"type": "http.response.start", "status": found.status, "headers": found.headers})
            await send({"type": "http.response.body", "body": found.body})
            return
        await self._pass_and_keep(scope, receive, send, key)

    def _count(self, hit: bool, scope: Scope) -> None:
        on_lookup = self.on_lookup or _metrics_of(scope)
        if on_lookup is not None:
            on_lookup(hit)

    def _key(self, scope: Scope) -> tuple[tuple[object, ...], str] | None:
        path: str = scope["path"]
        template = next((t for pattern, t in self._routes if pattern.match(path)), None)
        if template is None:
            return None
        headers = dict(scope["headers"])
        if b"if-none-match" in headers or b"if-modified-since" in headers:
            return None
        language_cookie = _anonymous_language_cookie(headers.get(b"cookie"))
        if language_cookie is False:
            return None
        state: AppState | None = getattr(scope["app"].state, "tsbkart", None)
        if state is None:
            return None
        try:
            revision = state.snapshot().revision
        except RegistryUnavailable:
            return None
        encoding = encoding_class(headers.get(b"accept-encoding", b"").decode("latin-1"))
        varying = tuple(headers.get(name) for name in _VARY_HEADERS)
        key = (revision, today(), path, scope["query_string"], language_cookie, encoding, *varying)
        return key, template

    async def _pass_and_keep(
        self, scope: Scope, receive: Receive, send: Send, key: tuple[object, ...]
    ) -> None:
        start: Message | None = None
        chunks: list[bytes] | None = []
        size = 0

        async def keep(message: Message) -> None:
            nonlocal start, chunks, size
            if message["type"] == "http.response.start":
                start = message if _keepable(message, scope["query_string"]) else None
                if start is None:
                    chunks = None
            elif message["type"] == "http.response.body" and chunks is not None:
                body: bytes = message.get("body", b"")
                size += len(body)
                if size <= MAX_ENTRY_BYTES:
                    chunks.append(body)
                else:
                    chunks = None
                if chunks is not None and start is not None and not message.get("more_body", False):
                    self._store(key, Answer(start["status"], list(start["headers"]), b"".join(chunks)))
            await send(message)

        await self.app(scope, receive, keep)

    def _store(self, key: tuple[object, ...], answer: Answer) -> None:
        with self._lock:
            if key in self._answers:
                return
            self._answers[key] = answer
            self._bytes += len(answer.body)
            while self._bytes > self.max_bytes:
                _, evicted = self._answers.popitem(last=False)
                self._bytes -= len(evicted.body)


def _keepable(start: Message, query_string: bytes) -> bool:
    if start["status"] != 200:
        return False
    for name, value in start.get("headers", []):
        if name.lower() == b"set-cookie" and not _sets_asked_language(value, query_string):
            return False
        if name.lower() == b"cache-control" and (b"no-store" in value or b"private" in value):
            return False
    return True


def _sets_asked_language(set_cookie: bytes, query_string: bytes) -> bool:
    """``Set-Cookie`` sets only the language cookie, to the language the request's ``?lang=`` names."""
    cookie = SimpleCookie()
    try:
        cookie.load(set_cookie.decode("latin-1"))
    except CookieError:
        return False
    if set(cookie) != {LANG_COOKIE}:
        return False
    asked = parse_qs(query_string.decode("latin-1")).get("lang", [])
    return len(asked) == 1 and asked[0] in LANGUAGES and cookie[LANG_COOKIE].value == asked[0]


def _anonymous_language_cookie(header: bytes | None) -> str | bool | None:
    """The ``lang`` cookie's value (None without one); False when any other cookie is sent (a session,
    a sign-in in progress): such a request is not anonymous and is never answered from the cache."""
    if not header:
        return None
    cookies = SimpleCookie()
    try:
        cookies.load(header.decode("latin-1"))
    except CookieError:
        return False
    if set(cookies) - {LANG_COOKIE}:
        return False
    morsel = cookies.get(LANG_COOKIE)
    return None if morsel is None else morsel.value


def _metrics_of(scope: Scope) -> Callable[[bool], None] | None:
    metrics = getattr(scope["app"].state, "metrics", None)
    if metrics is None:
        return None

    def lookup(hit: bool) -> None:
        metrics.cache_lookup("pages", hit)

    return lookup
