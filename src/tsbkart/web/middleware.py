"""Safe-by-default ASGI middleware: security headers on every response and a request-body size limit.

Pure ASGI (not ``BaseHTTPMiddleware``) so streaming responses and the read path pay almost nothing.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tsbkart.web.api.problems import PROBLEM_JSON


def content_security_policy(tile_url: str | None) -> str:
    """No inline script anywhere; map tiles may come from the configured tile host only."""
    img = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        if parts.scheme in ("http", "https") and parts.netloc:
            host = parts.netloc
            # Leaflet's {s} subdomains (a.tile..., b.tile...) share one CSP wildcard.
            if "{s}" in tile_url:
                host = "*." + host.split(".", 1)[1] if "." in host else host
            img += f" {parts.scheme}://{host}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {img}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
    )


# Two years, as hstspreload.org asks; no "preload": that is a commitment for the operator to make.
HSTS = "max-age=63072000; includeSubDomains"


class SecurityHeaders:
    """Adds CSP, nosniff, frame and referrer headers unless a response set its own; HSTS when ``hsts``
    (TLS terminates in a proxy in front, ``TSBKART_BEHIND_TLS``)."""

    def __init__(self, app: ASGIApp, tile_url: str | None = None, hsts: bool = False) -> None:
        self.app = app
        self.headers = {
            "Content-Security-Policy": content_security_policy(tile_url),
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Permissions-Policy": "geolocation=(self), camera=(), microphone=()",
        }
        if hsts:
            self.headers["Strict-Transport-Security"] = HSTS

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.headers.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Answers 413 when a request body is larger than ``max_bytes`` (declared or actually sent)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await self._reject(send, 400 if not declared.isdigit() else 413)
            return
        received = 0
        started = rejected = False

        async def limited_receive() -> Message:
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    # Answer now: the app may catch the exception below and try to answer 400 instead.
                    if not started and not rejected:
                        rejected = True
                        await self._reject(send, 413)
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if rejected:
                return  # the 413 has been sent; whatever the app says afterwards is dropped
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not rejected:
                raise

    async def _reject(self, send: Send, status: int) -> None:
        detail = (
            f"request body larger than {self.max_bytes} bytes"
            if status == 413
            else "invalid Content-Length header"
        )
        title = "Content Too Large" if status == 413 else "Bad Request"
        body = f'{{"type":"about:blank","title":"{title}","status":{status},"detail":"{detail}","errors":[]}}'.encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", PROBLEM_JSON.encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
