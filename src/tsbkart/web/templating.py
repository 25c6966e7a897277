"""Jinja environment for the HTML pages: package templates, autoescape on, catalogue-backed ``_``.

Templates get, besides their own context: ``_`` (gettext of the request's language), ``lang``, ``label``
(a vocabulary label in that language: ``label("service_types", "akutt")``), ``fmt_number``, ``fmt_date``
and ``lang_url`` (the current URL with another ``lang``). Strings come from ``web/i18n/<lang>/pages.po``;
vocabulary labels come from the vocabulary YAML, never from the catalogues.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.requests import Request

from tsbkart.vocab.loader import load_vocabularies
from tsbkart.web.i18n import catalogue


@cache
def environment() -> Environment:
    """The one Environment for all pages; autoescape is on for every template."""
    env = Environment(
        loader=PackageLoader("tsbkart.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


@cache
def _labels(language: str) -> dict[str, dict[str, str]]:
    """Every vocabulary's labels in ``language``: ``{"service_types": {"akutt": "Akuttbehandling", ...}, ...}``."""
    return {v.name: {t.code: t.label_in(language) for t in v} for v in load_vocabularies()}


def label_in(language: str) -> Callable[[str, str | None], str]:
    """A lookup ``label(vocabulary, code)``; unknown codes are shown as they are."""
    labels = _labels(language)
    unknown = catalogue(language).gettext("unknown")

    def label(vocabulary: str, code: str | None) -> str:
        if code is None:
            return unknown
        return labels[vocabulary].get(code, code)

    return label


def fmt_number(value: float | int | None, language: str, decimals: int = 0) -> str:
    """Norwegian style (thin-space thousands, decimal comma) in bokmål; plain English otherwise."""
    if value is None:
        return catalogue(language).gettext("unknown")
    text = f"{value:,.{decimals}f}"
    if language == "nb":
        text = text.replace(",", "\u00a0").replace(".", ",")
    return text


def fmt_date(value: date | None, language: str) -> str:
    if value is None:
        return catalogue(language).gettext("unknown")
    return value.strftime("%d.%m.%Y") if language == "nb" else value.isoformat()


def lang_url(request: Request, language: str) -> str:
    """The current path and query with ``lang`` replaced (for the language switch)."""
    pairs = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    pairs.append(("lang", language))
    return f"{request.url.path}?{urlencode(pairs)}"


def render(request: Request, language: str, template: str, context: Mapping[str, Any]) -> str:
    """Render ``template`` with the page context and the language helpers."""
    gettext = catalogue(language).gettext
    helpers: dict[str, Any] = {
        "_": gettext,
        "lang": language,
        "other_lang": "en" if language == "nb" else "nb",
        "label": label_in(language),
        "fmt_number": lambda value, decimals=0: fmt_number(value, language, decimals),
        "fmt_date": lambda value: fmt_date(value, language),
        "lang_url": lambda target: lang_url(request, target),
        "request_path": request.url.path,
    }
    return environment().get_template(template).render({**helpers, **context})
