"""``/docs``: Swagger UI from the vendored swagger-ui-dist, started by a static script (CSP-safe).

FastAPI's own docs page loads Swagger UI from a CDN and starts it with an inline script; both break the
offline promise and the CSP, so the app turns that off (``docs_url=None``) and serves this page instead.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

router = APIRouter()


@router.get("/docs", include_in_schema=False)
def docs(request: Request) -> HTMLResponse:
    openapi_url = escape(request.app.openapi_url or "/openapi.json")
    title = escape(request.app.title)
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title} API</title>"
        "<link rel='stylesheet' href='/static/vendor/swagger-ui/swagger-ui.css'></head><body>"
        f"<div id='swagger-ui' data-openapi-url='{openapi_url}'></div>"
        "<script src='/static/vendor/swagger-ui/swagger-ui-bundle.js'></script>"
        "<script src='/static/api/docs.js'></script></body></html>"
    )
