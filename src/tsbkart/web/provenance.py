"""Provenance notes and confidence levels in the page's language.

The bundled data's notes are written by ``tsbkart.reference.seed`` from a few fixed English phrases around
free text copied from the sources (a date as the source gives it, a compiler's reason). The fixed phrases are
translated here, the free text from the translation memory below; free text the memory lacks stays as the
source wrote it, marked with its language so screen readers say it right::

    note_html("contact fact (high confidence): switchboard", "nb")
    # 'kontaktopplysning (sikkerhet: høy): <span lang="en">switchboard</span>'

A note that matches no phrase (a steward's own words) is shown as written. ``tests/web/test_provenance.py``
checks that every note in the bundled data is covered, so a new phrase in the seed fails a test until it is
added here and to the catalogue.

The compilers' free text (a remark in a note, an offer's description, a team's scope note, an organisation's
contract status) goes through one lookup, ``bundled_html``: its public form (``public_text``: the compilers'
references to their own working files dropped) is looked up whole in the translation memory
``web/i18n/<lang>/bundled/*.po`` (msgid: the public English text; msgstr: its rendering, the same text for a
proper name that needs none); an English page shows the public English text, and a text the memory lacks is
shown as written, marked English::

    bundled_html("pass3.source.md: supports Tromsø", "nb")   # 'støtter Tromsø'
    bundled_html("pass3.source.md: supports Tromsø", "en")   # 'supports Tromsø'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po
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


# The compilers' own working files ("corrections_pass2.md", "pass3.source.md", "tsb_units_pass2.csv", "its
# .source.md"): a public page names the source itself, never the file a research pass noted it in. The forms
# below are how the bundled text cites them; what a rule keeps is the fact around the reference.
FILE = r"[\w-]*(?:\.[\w-]+)*\.(?:csv|md)\b(?: and its \.source\.md)?"
SECTIONS = r"other corrections|corrections to team rows|[a-z0-9-]+"  # the parts of a compiler's file cited
FILE_REFERENCES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"[;,]? *also proposed in {FILE} \(not yet applied\)"), ""),  # a proposal already applied
    (re.compile(rf" *\((?:see |per )?{FILE}\)"), ""),  # "(see tsb_private_providers.csv)"
    (re.compile(rf"; {FILE}(?=\))"), ""),  # "(napha.no, '...'; tsb_units_pass2.csv and its .source.md)"
    (re.compile(rf" *\({FILE}, [^()]*(?:\([^()]*\)[^()]*)*\)"), ""),  # "(tsb_units.csv, target_groups_note)"
    (re.compile(rf"\({FILE} (?P<code>[0-9]+)\)"), r"(\g<code>)"),  # "Alta (kommuner_2024.csv 5601)"
    (re.compile(rf"{FILE} proposes\b"), "a research pass proposes"),
    (re.compile(rf"{FILE} scope text\b"), "the scope note"),  # the team's scope note, shown on the page
    (re.compile(rf"^(?:unit added|new row) (?:in|from) {FILE}$"), ""),
    (re.compile(rf"^{FILE}(?: \((?:{SECTIONS})\))?(?:: |$)"), ""),  # "corrections_pass2.md (bk-x): ..."
    (re.compile(rf"^{FILE} \((?P<remark>[^()]+)\)$"), r"\g<remark>"),  # "pass3.source.md (address stated)"
    (re.compile(rf" *{FILE}"), ""),  # any other reference
)
MEMORY = "bundled"  # web/i18n/<lang>/bundled/*.po


def public_text(text: str) -> str:
    """The compilers' ``text`` without their references to their own working files (the same in every
    language; the data and the ``.source.md`` files keep them)::

        public_text("corrections_pass2.md: Samtun is in Bø i Telemark")   # 'Samtun is in Bø i Telemark'
        public_text("vaktrom; also proposed in corrections_pass2.md (not yet applied)")   # 'vaktrom'
    """
    for pattern, replacement in FILE_REFERENCES:
        text = pattern.sub(replacement, text)
    return text.strip().strip(";,").strip()


@cache
def translation_memory(language: str) -> Mapping[str, str]:
    """The bundled English texts' renderings in ``language`` (``web/i18n/<language>/bundled/*.po``; none for
    English, the bundled text's own language): public English text -> its rendering."""
    folder = Path(str(resources.files("tsbkart.web") / "i18n" / language / MEMORY))
    memory: dict[str, str] = {}
    for path in sorted(folder.glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                translated = message.string
                if isinstance(message.id, str) and message.id and isinstance(translated, str) and translated:
                    memory[message.id] = translated
    return memory


def bundled_translation(text: str, language: str) -> str | None:
    """The rendering of the compilers' public ``text`` in ``language``: itself in English, else the
    memory's entry or None."""
    return text if language == "en" else translation_memory(language).get(text)


def bundled_html(value: str, language: str) -> Markup:
    """The compilers' English ``value`` on a page in ``language``: its public form, translated from the memory
    when it has an entry, else as written and marked English."""
    public = public_text(value)
    translated = bundled_translation(public, language)
    if translated is None:
        return Markup('<span lang="en">%s</span>') % public
    return escape(translated)


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
    """A compiler's remark after the words it follows: ``bundled_html`` of it, the joining punctuation kept;
    "renewal: <address>" with its label from the memory."""
    lead = REMARK_LEAD.match(value)
    start = lead.end() if lead else 0
    linked = LABELLED_ADDRESS.fullmatch(value[start:])
    label = bundled_translation(linked["label"], language) if linked is not None else None
    if linked is not None and label is not None:
        return escape(f"{value[:start]}{label}: {linked['address']}")
    return escape(value[:start]) + bundled_html(value[start:], language)


def _free(value: str, language: str) -> Markup:
    if value in FIXED_FREE_TEXT:
        return escape(catalogue(language).gettext(value))
    dated = _source_date(value, language) if language != "en" else None
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
        if "free" in groups and not public_text(groups["free"]):
            message = message.replace(": %(free)s", "")  # nothing but a compiler's file reference
            del groups["free"]
        values: dict[str, object] = {}
        if "confidence" in groups:
            values["confidence"] = escape(confidence_label(groups["confidence"], language))
        for free in ("free", "dated"):
            if free in groups:
                values[free] = _free(groups[free], language)
        return escape(text(message)) % values if values else escape(text(message))
    return escape(note)


def compilers_text(value: object, field: str, provenance: Provenance, language: str) -> Markup:
    """A free-text value as safe HTML: ``bundled_html`` while it is the bundled data compilers' note
    (``reference.seed.COMPILERS_ENGLISH`` with the seed's or a research pass's provenance: the record's, or
    the field's own); a steward's or an import's text is shown as written."""
    if field in COMPILERS_ENGLISH and is_seed_provenance(provenance) and isinstance(value, str):
        return bundled_html(value, language)
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
