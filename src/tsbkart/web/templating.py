"""The one Jinja environment for every HTML page: package templates, autoescape on, catalogue-backed ``_``.

Templates get, besides their own context: ``_`` (gettext of the request's language), ``lang``, ``label``
(a vocabulary label in that language: ``label("service_types", "akutt")``), ``fmt_number``, ``fmt_date``,
``today``, ``lang_url`` (the current URL with another ``lang``), ``note`` and ``confidence`` (a provenance note
and a confidence level in the language, see ``web/provenance.py``); pages rendered with ``page`` also get
``viewer`` (the signed-in ``Principal`` or None) and ``csrf_token`` (for forms). Strings come from
``web/i18n/<lang>/*.po``; vocabulary labels come from the vocabulary YAML, never from the catalogues.
Numbers and dates are formatted by Babel in the language's locale (``12 345,7`` and ``01.12.2026`` in
bokmål, ``12,345.7`` and ``1 Dec 2026`` in English).

``render`` needs no request (the CLI prints reports with it); ``page`` renders for a request context and
remembers a language chosen with ``?lang=`` in a cookie.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.datastructures import URL

from tsbkart.domain.schedules import DAYS, Schedule
from tsbkart.domain.text_rules import is_web_url
from tsbkart.views.help_now import help_now, helplines
from tsbkart.vocab.loader import load_vocabularies
from tsbkart.web.context import LANG_COOKIE, RequestContext
from tsbkart.web.i18n import catalogue
from tsbkart.web.provenance import helpers as provenance_helpers

LANG_COOKIE_MAX_AGE = 365 * 24 * 3600
# Babel locale and date style per UI language: day-first dates in both.
LOCALES = {"nb": ("nb_NO", "short"), "en": ("en_GB", "medium")}


@cache
def environment() -> Environment:
    """The one Environment for all pages; autoescape is on for every template."""
    env = Environment(
        loader=PackageLoader("tsbkart.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # `{% if value is web_url %}`: only an http(s) URL with a host becomes a link, never `javascript:` and the like.
    env.tests["web_url"] = is_web_url
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
    """Grouped digits and the language's decimal sign, ``decimals`` places; None is "unknown"."""
    if value is None:
        return catalogue(language).gettext("unknown")
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return str(format_decimal(value, format=pattern, locale=LOCALES.get(language, LOCALES["nb"])[0]))


def fmt_date(value: date | None, language: str) -> str:
    if value is None:
        return catalogue(language).gettext("unknown")
    locale, style = LOCALES.get(language, LOCALES["nb"])
    return str(format_date(value, style, locale=locale))


def lang_url(url: URL | None, language: str) -> str:
    """The current path and query with ``lang`` replaced (for the language switch)."""
    if url is None:
        return f"?lang={language}"
    pairs = [(k, v) for k, v in parse_qsl(url.query, keep_blank_values=True) if k != "lang"]
    pairs.append(("lang", language))
    return f"{url.path}?{urlencode(pairs)}"


# How a listed unit fits the target-group filter (tsbkart.query.target_groups.fit), as its result says it.
FIT_LABELS = {
    "stated": "States that it serves the target group",
    "stated_for_unit": "Target group stated for the whole unit",
    "possible": "No target group stated: may serve it",
    "stated_not": "States that it does not serve the target group",
}


def opening_hours_text(schedules: tuple[Schedule, ...], language: str) -> str:
    """ "man.–fre. 08:00–15:30; lør. 10:00–14:00": day names from CLDR (Babel), Monday = 0."""
    names = Locale.parse(LOCALES.get(language, LOCALES["nb"])[0]).days["format"]["abbreviated"]

    def days(schedule: Schedule) -> str:
        return (
            "–".join(names[DAYS.index(d)] for d in (schedule.byday[0], schedule.byday[-1]))
            if (
                len(schedule.byday) >= 3
                and DAYS.index(schedule.byday[-1]) - DAYS.index(schedule.byday[0]) == len(schedule.byday) - 1
            )
            else ", ".join(names[DAYS.index(d)] for d in schedule.byday)
        )

    return "; ".join(f"{days(s)} {s.opens_at}–{s.closes_at}" for s in schedules)


def render(
    template: str,
    context: Mapping[str, Any],
    *,
    language: str,
    url: URL | None = None,
    day: date | None = None,
) -> str:
    """Render ``template`` with the page context and the language helpers."""
    helpers: dict[str, Any] = {
        "_": catalogue(language).gettext,
        "lang": language,
        "other_lang": "en" if language == "nb" else "nb",
        "label": label_in(language),
        "fmt_number": lambda value, decimals=0: fmt_number(value, language, decimals),
        "fmt_date": lambda value: fmt_date(value, language),
        "lang_url": lambda target: lang_url(url, target),
        "request_path": url.path if url is not None else "",
        "today": day,
        "help_now": help_now,
        "helplines": helplines,
        "opening_hours": lambda value: opening_hours_text(value, language),
        "fit_label": lambda fit: catalogue(language).gettext(FIT_LABELS.get(str(fit), str(fit))),
        **provenance_helpers(language),
    }
    return environment().get_template(template).render({**helpers, **context})


def page(ctx: RequestContext, template: str, context: Mapping[str, Any], status: int = 200) -> HTMLResponse:
    """An HTML answer for the request; a language chosen with ``?lang=`` is remembered in a cookie."""
    html = render(template, {**session_of(ctx), **context}, language=ctx.language, url=ctx.url, day=ctx.today)
    return html_response(ctx, html, status)


def session_of(ctx: RequestContext) -> dict[str, Any]:
    """What every page shows of the session: the signed-in viewer (or None) and the CSRF token for forms."""
    return {"viewer": ctx.actor, "csrf_token": ctx.csrf_token}


def html_response(ctx: RequestContext, html: str, status: int = 200) -> HTMLResponse:
    """``html`` as the request's answer; a language chosen with ``?lang=`` is remembered in a cookie.

    A page is in the language of the ``lang`` cookie (and shows the signed-in viewer): ``Vary: Cookie`` keeps
    a shared cache from handing one visitor's language or session view to another."""
    response = HTMLResponse(html, status_code=status, headers={"Vary": "Cookie"})
    if ctx.remember_language:
        response.set_cookie(LANG_COOKIE, ctx.language, max_age=LANG_COOKIE_MAX_AGE, samesite="lax")
    return response
