"""Rate limits (the ``limits`` library, moving window) on every public POST and the expensive GETs.

``RULES`` is the one list of what is limited; the first rule matching a request's method and path applies,
and each rule's limit is the setting ``rate_limit_<name>`` (``TSBKART_RATE_LIMIT_<NAME>``, e.g. ``6/minute``).
To limit a new route, add a rule here and a setting in ``settings.py``; every POST not matched by a named
rule already falls under ``post``. Counting is per client address (the proxy's
``X-Forwarded-For`` only from ``TSBKART_TRUSTED_PROXIES``), per process with ``memory://``, across
processes with a shared storage (``TSBKART_RATE_LIMIT_STORAGE=redis://...``).

Over the limit: ``429 Too Many Requests`` with ``Retry-After`` (seconds) and a problem body.
"""

from __future__ import annotations

import math
import re
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from starlette.types import ASGIApp, Receive, Scope, Send

from tsbkart.settings import Settings
from tsbkart.web.api.problems import problem_response


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    methods: frozenset[str]
    path: re.Pattern[str]


GET, POST = frozenset({"GET"}), frozenset({"POST"})
RULES = (
    Rule("pdf", GET, re.compile(r"^/atlas/rapport/[^/]+\.pdf$")),
    Rule("report", GET, re.compile(r"^/atlas/rapport/[^/]+$")),
    Rule("finder", POST, re.compile(r"^/(api/v1/finder|finn/results)$")),
    Rule("signin", POST, re.compile(r"^/logg-inn(/kode)?$")),
    Rule("error_report", POST, re.compile(r"^/enhet/[^/]+/meld-feil$")),
    Rule("api_write", frozenset({"POST", "PATCH", "DELETE"}), re.compile(r"^/api/v1/")),
    Rule("post", POST, re.compile(r"")),
)


def limit_of(settings: Settings, rule: Rule) -> RateLimitItem:
    value = getattr(settings, f"rate_limit_{rule.name}")
    assert isinstance(value, str)
    return parse(value)


class RateLimits:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.limiter = MovingWindowRateLimiter(storage_from_string(settings.rate_limit_storage))
        self.rules = [(rule, limit_of(settings, rule)) for rule in RULES]

    def _rule(self, method: str, path: str) -> tuple[Rule, RateLimitItem] | None:
        for rule, item in self.rules:
            if method in rule.methods and rule.path.search(path):
                return rule, item
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            matched = self._rule(scope["method"], scope["path"])
            if matched is not None:
                rule, item = matched
                client = scope.get("client")
                key = client[0] if client else "unknown"
                if not self.limiter.hit(item, rule.name, key):
                    reset = self.limiter.get_window_stats(item, rule.name, key).reset_time
                    retry_after = max(1, math.ceil(reset - time.time()))
                    response = problem_response(429, f"rate limit {item} reached; retry in {retry_after} s")
                    response.headers["Retry-After"] = str(retry_after)
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
