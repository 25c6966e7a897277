"""HTTP hygiene as pure ASGI middleware: ``HEAD`` on every ``GET`` route, and 414 for over-long URLs.

FastAPI's routes answer only the methods they declare, so ``HEAD /api/v1/units`` was 405. ``HeadAsGet``
runs a ``HEAD`` as the ``GET`` it mirrors and sends the same status and headers (``Content-Length``,
``ETag`` ...) without the body, which is what RFC 9110 asks of ``HEAD``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tsbkart.web.api.problems import problem_response


class HeadAsGet:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                if not message.get("more_body", False):
                    await send({"type": "http.response.body", "body": b""})
                return
            await send(message)

        await self.app(dict(scope, method="GET"), receive, without_body)


class UrlLengthLimit:
    """414 when path plus query is longer than ``max_bytes`` (the server's buffer admits far longer ones,
    so a long URL gets this answer instead of a reset connection)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            length = len(scope.get("raw_path") or scope["path"].encode()) + len(
                scope.get("query_string", b"")
            )
            if length > self.max_bytes:
                detail = f"the request target is longer than {self.max_bytes} bytes"
                await problem_response(414, detail)(scope, receive, send)
                return
        await self.app(scope, receive, send)
