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
from typing import Any

from markupsafe import Markup, escape

from tsbkart.domain.entities import Provenance
from tsbkart.reference.seed import COMPILERS_ENGLISH, OWN_WORDS, is_seed_provenance
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
        re.compile(
            r"research pass correction \((?P<confidence>\w+) confidence\): (?P<free>.+); source dated: (?P<dated>.+)"
        ),
        "research pass correction (confidence: %(confidence)s): %(free)s; source dated: %(dated)s",
    ),
    (
        re.compile(
            r"stated by the source \((?P<confidence>\w+) confidence\): (?P<free>.+); source dated: (?P<dated>.+)"
        ),
        "stated by the source (confidence: %(confidence)s): %(free)s; source dated: %(dated)s",
    ),
    (
        re.compile(r"research pass correction \((?P<confidence>\w+) confidence\): (?P<free>.+)"),
        "research pass correction (confidence: %(confidence)s): %(free)s",
    ),
    (
        re.compile(r"stated by the source \((?P<confidence>\w+) confidence\): (?P<free>.+)"),
        "stated by the source (confidence: %(confidence)s): %(free)s",
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
# Free text that is tsbkart's own words (the seed's fixed phrases), translated like the phrases around it.
FIXED_FREE_TEXT = OWN_WORDS
# How the compilers state a source's date, in the forms that recur: translated, the date and any address kept.
# A bare date needs no language; anything else stays as written, marked English.
DATE = r"[0-9]{4}(?:-[0-9]{2}){0,2}|[0-9]{2}\.[0-9]{2}\.[0-9]{4}"
BARE_DATE = re.compile(DATE)
DATED = re.compile(rf"(?P<event>published|updated|signed|opened) (?P<date>{DATE})")
REMARK_LEAD = re.compile(r"[;,]? *")  # what joins a remark to the words before it
LABELLED_ADDRESS = re.compile(r"(?P<label>[a-z ]+): (?P<address>https?://\S+)")  # "renewal: https://..."
UNDATED = re.compile(r"undated page(?:; (?P<address>https?://\S+)|(?P<rest>[;,]? .+))?")


def confidence_label(level: str | None, language: str) -> str:
    text = catalogue(language).gettext
    return text(CONFIDENCE[level]) if level in CONFIDENCE else (level or text("unknown"))


def _source_date(value: str, language: str) -> Markup | None:
    """``value`` in ``language`` when it is one of the recurring forms of a source's date, else None:
    "undated page" (an address after "; " kept, any other words after it kept English and marked),
    "published 07.01.2022, updated 09.04.2024" (also signed, opened), "2012-10-22"."""
    text = catalogue(language).gettext
    if BARE_DATE.fullmatch(value):
        return escape(value)
    undated = UNDATED.fullmatch(value)
    if undated is not None:
        address, rest = undated.group("address"), undated.group("rest")
        said = escape(text("undated page"))
        if address:
            return said + escape(f"; {address}")
        return said + (_remark(rest, language) if rest else "")
    events = [DATED.fullmatch(part) for part in value.split(", ")]
    if all(events):
        return escape(", ".join(text(f"{e['event']} %(date)s") % {"date": e["date"]} for e in events if e))
    return None


def _remark(value: str, language: str) -> Markup:
    """A compiler's remark: its translation when ``notes.po`` has one, else as written, marked English."""
    lead = REMARK_LEAD.match(value)
    start = lead.end() if lead else 0
    linked = LABELLED_ADDRESS.fullmatch(value[start:])
    if linked is not None and catalogue(language).gettext(linked["label"]) != linked["label"]:
        label = catalogue(language).gettext(linked["label"])
        return escape(f"{value[:start]}{label}: {linked['address']}")
    translated = catalogue(language).gettext(value[start:])
    if translated != value[start:]:
        return escape(value[:start] + translated)
    return escape(value) if language == "en" else Markup('<span lang="en">%s</span>') % value


def _free(value: str, language: str) -> Markup:
    if value in FIXED_FREE_TEXT:
        return escape(catalogue(language).gettext(value))
    if language == "en":
        return escape(value)
    dated = _source_date(value, language)
    return dated if dated is not None else _remark(value, language)


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
        for free in ("free", "dated"):
            if free in groups:
                values[free] = _free(groups[free], language)
        return escape(text(message)) % values if values else escape(text(message))
    return escape(note)


def compilers_text(value: object, field: str, provenance: Provenance, language: str) -> Markup:
    """A free-text value as safe HTML, marked English on a page in another language while it is the bundled
    data compilers' note (``reference.seed.COMPILERS_ENGLISH`` with the seed's or a research pass's
    provenance: the record's, or the field's own); a steward's or an import's text is shown as written."""
    compiled = field in COMPILERS_ENGLISH and is_seed_provenance(provenance)
    if compiled and language != "en":
        return Markup('<span lang="en">%s</span>') % value
    return escape(value)


def record_text(record: Any, field: str, language: str) -> Markup:
    """``compilers_text`` of a record's field (a team's ``scope_note`` in its section of the unit page)."""
    provenance = record.field_provenance.get(field) or record.provenance
    return compilers_text(getattr(record, field), field, provenance, language)


def helpers(language: str) -> dict[str, Callable[..., Markup | str]]:
    """Template helpers in ``language``: ``note(text)``, ``confidence(level)``, ``fact_text(fact)`` (a Fact's
    free text) and ``record_text(record, field)``."""
    return {
        "note": lambda value: note_html(value, language),
        "confidence": lambda value: confidence_label(value, language),
        "fact_text": lambda fact: compilers_text(fact.value, fact.field, fact.provenance, language),
        "record_text": lambda record, field: record_text(record, field, language),
    }
