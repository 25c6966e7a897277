"""Provenance notes and confidence levels in the page's language.

The bundled data's notes are written by ``tsbkart.reference.seed`` from a few fixed English phrases around
free text copied from the sources (a date as the source gives it, a compiler's reason). The fixed phrases are
translated here; the free text stays as the source wrote it, marked with its language so screen readers say
it right::

    note_html("contact fact (high confidence): switchboard", "nb")
    # 'kontaktopplysning (sikkerhet: høy): <span lang="en">switchboard</span>'

A note that matches no phrase (a steward's own words) is shown as written. ``tests/web/test_provenance.py``
checks that every note in the bundled data is covered, so a new phrase in the seed fails a test until it is
added here and to the catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

from tsbkart.web.i18n import catalogue

# Confidence levels the compilers use (English catalogue ids).
CONFIDENCE = {"high": "high", "medium": "medium", "low": "low"}
# (pattern, English catalogue id with %(...)s for the translated confidence and the free text)
PHRASES: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"retrieved by the tsbkart data compilers; source dated: (?P<free>.+)"),
        "retrieved by the tsbkart data compilers; source dated: %(free)s",
    ),
    (re.compile(r"retrieved by the tsbkart data compilers"), "retrieved by the tsbkart data compilers"),
    (re.compile(r"derived: (?P<free>.+)"), "derived: %(free)s"),
    (
        re.compile(r"research pass correction \((?P<confidence>\w+) confidence\): (?P<free>.+)"),
        "research pass correction (confidence: %(confidence)s): %(free)s",
    ),
    (
        re.compile(r"contact fact \((?P<confidence>\w+) confidence\): (?P<free>.+)"),
        "contact fact (confidence: %(confidence)s): %(free)s",
    ),
    (
        re.compile(r"contact fact \((?P<confidence>\w+) confidence\)"),
        "contact fact (confidence: %(confidence)s)",
    ),
    (
        re.compile(r"owner type inferred from the legal form and the RHF agreement the source names"),
        "owner type inferred from the legal form and the RHF agreement the source names",
    ),
)
FIXED_FREE_TEXT = ("the unit's own page, also the source of this record",)


def confidence_label(level: str | None, language: str) -> str:
    text = catalogue(language).gettext
    return text(CONFIDENCE[level]) if level in CONFIDENCE else (level or text("unknown"))


def _free(value: str, language: str) -> Markup:
    if value in FIXED_FREE_TEXT:
        return escape(catalogue(language).gettext(value))
    if language == "en":
        return escape(value)
    return Markup('<span lang="en">%s</span>') % value


def note_html(note: str | None, language: str) -> Markup:
    """``note`` in ``language`` as safe HTML (fixed phrases translated, the sources' own words kept)."""
    if not note:
        return Markup("")
    text = catalogue(language).gettext
    for pattern, message in PHRASES:
        match = pattern.fullmatch(note)
        if match is None:
            continue
        groups = match.groupdict()
        values: dict[str, object] = {}
        if "confidence" in groups:
            values["confidence"] = escape(confidence_label(groups["confidence"], language))
        if "free" in groups:
            values["free"] = _free(groups["free"], language)
        return escape(text(message)) % values if values else escape(text(message))
    return escape(note)


def helpers(language: str) -> dict[str, Callable[[str | None], Markup | str]]:
    """Template helpers: ``note(text)`` and ``confidence(level)`` in ``language``."""
    return {
        "note": lambda value: note_html(value, language),
        "confidence": lambda value: confidence_label(value, language),
    }
