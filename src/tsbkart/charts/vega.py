"""Render a Vega-Lite specification to an accessible, script-free SVG string with ``vl-convert-python``.

vl-convert bundles Vega, Vega-Lite and a JavaScript engine in its wheel: nothing is fetched at run time (data
must be inline; ``allowed_base_urls=[]`` refuses any URL). The SVG has no scripts and no style attributes, so it
can be inlined under the app's CSP. ``render_svg`` adds ``role="img"``, ``aria-labelledby`` and a <title> and
<desc> so screen readers announce the chart; the page also shows the same numbers as a table.

    svg = render_svg(spec, title="Senger per år", description="Linje 2026-2040 med usikkerhetsbånd", language="nb")
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import OrderedDict
from html import escape
from threading import Lock
from typing import Any

__all__ = ["NB_NUMBERS", "render_svg"]

#: d3-format locale for bokmål: decimal comma, no-break space between thousands.
NB_NUMBERS = {"decimal": ",", "thousands": "\u00a0", "grouping": [3], "currency": ["kr\u00a0", ""]}
_CACHE: OrderedDict[str, str] = OrderedDict()
_CACHE_SIZE = 256
_LOCK = Lock()
_FONT = {"font": "sans-serif"}


def _convert(spec: dict[str, Any], language: str) -> str:
    import vl_convert as vlc  # imported here: loading its JavaScript engine takes a moment

    locale: Any = NB_NUMBERS if language == "nb" else "en-US"
    svg: str = vlc.vegalite_to_svg(spec, config=_FONT, allowed_base_urls=[], format_locale=locale)
    return svg


def _accessible(svg: str, title: str, description: str, key: str) -> str:
    ids = f"chart-{key[:12]}"
    head = f'<svg role="img" aria-labelledby="{ids}-t {ids}-d" focusable="false" class="vega-chart" '
    svg = re.sub(r"^<svg ", head, svg, count=1)
    # vl-convert gives the root class="marks": one class attribute, not two (a duplicate is invalid markup).
    svg = re.sub(r'^(<svg[^>]*?) class="marks"', r"\1", svg, count=1)
    labels = f'<title id="{ids}-t">{escape(title)}</title><desc id="{ids}-d">{escape(description)}</desc>'
    return re.sub(r"(<svg[^>]*>)", lambda m: m.group(1) + labels, svg, count=1)


def render_svg(spec: dict[str, Any], title: str, description: str, language: str = "nb") -> str:
    """The chart as an SVG string (cached by spec, texts and language)."""
    payload = json.dumps([spec, title, description, language], sort_keys=True, default=str)
    key = hashlib.sha256(payload.encode()).hexdigest()
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    svg = _accessible(_convert(spec, language), title, description, key)
    with _LOCK:
        _CACHE[key] = svg
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return svg
