"""Provenance notes and confidence levels in the page's language; every bundled note is covered, the bundled
English free text is rendered in bokmål from the translation memory, and no public page names the compilers'
own working files."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tsbkart.domain.entities import Provenance
from tsbkart.reference.seed import COMPILERS_ENGLISH
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.registry.store import Registry
from tsbkart.settings import Settings
from tsbkart.web.app import create_app
from tsbkart.web.provenance import (
    PHRASES,
    bundled_html,
    compilers_text,
    confidence_label,
    note_html,
    public_text,
    record_text,
    translation_memory,
)

ENGLISH = re.compile(r'<span lang="en">(.*?)</span>')
# How the compilers cite their own working files: never on a public page.
FILE_NAME = re.compile(r"\.source\.md|pass[23]|\.csv\b|\b[\w-]+\.md\b")


def _notes(snapshot: RegistrySnapshot) -> set[str]:
    notes: set[str] = set()
    for kind in (snapshot.organisations, snapshot.units, snapshot.offers, snapshot.teams):
        for record in kind.values():
            provenances = [record.provenance, *(getattr(record, "field_provenance", None) or {}).values()]
            notes |= {p.note for p in provenances if p.note}
    return notes


def test_every_bundled_note_has_a_translated_phrase(bundled_snapshot: RegistrySnapshot) -> None:
    notes = _notes(bundled_snapshot)
    assert notes
    uncovered = [n for n in notes if not any(p.fullmatch(n) for p, _ in PHRASES)]
    assert uncovered == []


def test_fixed_phrases_are_translated_and_the_sources_words_kept_and_marked() -> None:
    note = "contact fact (high confidence): switchboard <b>"
    assert (
        str(note_html(note, "nb"))
        == 'kontaktopplysning (sikkerhet: høy): <span lang="en">switchboard &lt;b&gt;</span>'
    )
    assert str(note_html(note, "en")) == "contact fact (confidence: high): switchboard &lt;b&gt;"
    dated = "retrieved by the tsbkart data compilers; source dated: 2025-03-01"
    assert str(note_html(dated, "nb")).startswith("hentet av tsbkarts datainnsamlere; kilden datert:")
    own = "contact fact (medium confidence): the unit's own page, also the source of this record"
    assert str(note_html(own, "nb")) == (
        "kontaktopplysning (sikkerhet: middels): enhetens egen side, som også er kilden til oppføringen"
    )
    assert str(note_html("a steward's <own> words", "nb")) == "a steward&#39;s &lt;own&gt; words"


def test_confidence_levels() -> None:
    assert confidence_label("high", "nb") == "høy" and confidence_label("medium", "en") == "medium"
    assert confidence_label(None, "nb") == "ukjent"


def test_our_own_derivations_are_translated_not_marked_english(bundled_snapshot: RegistrySnapshot) -> None:
    """The reasons the seed writes for derived values are tsbkart's own words: bokmål on bokmål pages."""
    derived = sorted(n for n in _notes(bundled_snapshot) if n.startswith("derived: "))
    assert derived
    for note in derived:
        shown = str(note_html(note, "nb"))
        assert 'lang="en"' not in shown and shown.startswith("utledet: "), shown
    assert str(note_html("derived: no address in the source; municipality point", "nb")) == (
        "utledet: ingen adresse i kilden; kommunens punkt"
    )


def test_a_corrections_source_date_is_translated_too() -> None:
    note = "research pass correction (medium confidence): corrections_pass2.md: Tyrili lost Arendal/Skien/Lillehammer/Folldal in the Oct 2024 award; source dated: undated page"
    assert (
        str(note_html(note, "nb"))
        == (
            "rettet ved ny gjennomgang av kildene (sikkerhet: middels): "
            "Tyrili mistet Arendal/Skien/Lillehammer/Folldal i tildelingen i oktober 2024; kilden datert: udatert side"  # the remark from the translation memory
        )
    )
    unknown = "research pass correction (low confidence): a remark notes.po lacks; source dated: 2024"
    assert str(note_html(unknown, "nb")).endswith(
        '<span lang="en">a remark notes.po lacks</span>; kilden datert: 2024'
    )


def test_common_source_dates_are_translated_and_plain_dates_need_no_language() -> None:
    def dated(text: str) -> str:
        return str(note_html(f"retrieved by the tsbkart data compilers; source dated: {text}", "nb"))

    prefix = "hentet av tsbkarts datainnsamlere; kilden datert: "
    assert dated("undated page") == prefix + "udatert side"
    assert dated("published 07.01.2022") == prefix + "publisert 07.01.2022"
    assert (
        dated("published 11.11.2022, updated 09.04.2024")
        == prefix + "publisert 11.11.2022, oppdatert 09.04.2024"
    )
    assert dated("2012-10-22") == prefix + "2012-10-22"
    assert dated("undated page; https://example.org/a?b=1&c") == (
        prefix + "udatert side; https://example.org/a?b=1&amp;c"
    )
    assert dated("c. 2015 (news on board proposal)") == prefix + "ca. 2015 (nyhet om forslag fra styret)"
    assert (
        dated("undated page; renewal: https://example.org/r")
        == prefix + "udatert side; fornyelse: https://example.org/r"
    )
    unknown = "c. 2099 (a remark notes.po lacks)"
    assert dated(unknown) == prefix + f'<span lang="en">{unknown}</span>'


def test_the_compilers_english_notes_are_marked_english_a_stewards_text_is_not() -> None:
    bundled = Provenance(
        "https://hf.example/enhet", date(2026, 11, 22), note="retrieved by the tsbkart data compilers"
    )
    note = "adults 18+; a remark the translation memory lacks"
    assert str(compilers_text(note, "description", bundled, "nb")) == f'<span lang="en">{note}</span>'
    assert str(compilers_text(note, "description", bundled, "en")) == note
    steward = Provenance("https://hf.example/enhet", date(2026, 12, 1), steward="Kari", note="Kari")
    assert str(compilers_text("voksne over 18 år", "description", steward, "nb")) == "voksne over 18 år"
    assert str(compilers_text("Tromsø", "town", bundled, "nb")) == "Tromsø"  # not a compiler's note


def test_the_compilers_texts_are_rendered_from_the_translation_memory(
    bundled_snapshot: RegistrySnapshot,
) -> None:
    corrected = bundled_snapshot.offers["bk-loland/dogn_kort"]  # a research pass's description
    assert "description" in corrected.field_provenance
    assert str(record_text(corrected, "description", "nb")) == translation_memory("nb")[corrected.description]
    assert str(record_text(corrected, "description", "en")) == corrected.description
    assert str(bundled_html("adults 18+", "nb")) == "voksne 18+"
    # A proper name is its own rendering: shown as it is, not marked English.
    name = "Diakonhjemmet Sykehus (Stiftelsen Diakonhjemmet)"
    assert str(bundled_html(name, "nb")) == name
    assert (
        str(bundled_html("a text <the memory> lacks", "nb"))
        == '<span lang="en">a text &lt;the memory&gt; lacks</span>'
    )


@pytest.mark.parametrize(
    ("text", "public"),
    [
        (
            "vaktrom; UNN switchboard 07766; also proposed in corrections_pass2.md (not yet applied)",
            "vaktrom; UNN switchboard 07766",
        ),
        ("also proposed in corrections_pass2.md (not yet applied)", ""),
        (
            "36 places (see tsb_private_providers.csv); length of stay inferred",
            "36 places; length of stay inferred",
        ),
        (
            "opened 3 Sept 2012 (napha.no, 'Ny'; tsb_units_pass2.csv and its .source.md)",
            "opened 3 Sept 2012 (napha.no, 'Ny')",
        ),
        (
            "opened 26.09.2023 (tsb_units.csv, source_date_or_snapshot: 'opened 26.09.2023 (published 02.10.2023)')",
            "opened 26.09.2023",
        ),
        ("pass3.source.md: Alta (kommuner_2024.csv 5601)", "Alta (5601)"),
        ("corrections_pass2.md: Midt-Telemark is 4020 (kommuner_2024.csv)", "Midt-Telemark is 4020"),
        ("corrections_pass2.md (bk-borgestad): intake office phone", "intake office phone"),
        ("corrections_pass2.md (vurderingsteam.csv)", ""),
        ("pass3.source.md (other corrections)", ""),
        ("pass3.source.md (consistent; address stated)", "consistent; address stated"),
        ("corrections_pass2.md proposes adding avrusning", "a research pass proposes adding avrusning"),
        ("vurderingsteam_pass3.csv scope text states the phone", "the scope note states the phone"),
        ("unit added in units_pass3.csv", ""),
        (
            "35 døgnplasser (pass3.source.md); the history page (contacts_pass3.csv)",
            "35 døgnplasser; the history page",
        ),
        ("a steward's words, no file", "a steward's words, no file"),
    ],
)
def test_public_text_drops_the_compilers_file_references_and_keeps_the_fact(text: str, public: str) -> None:
    assert public_text(text) == public


def test_a_note_whose_remark_is_only_a_file_reference_shows_the_rest(
    bundled_snapshot: RegistrySnapshot,
) -> None:
    note = "research pass correction (high confidence): pass3.source.md (other corrections); source dated: 2016-11-07"
    assert (
        str(note_html(note, "nb"))
        == "rettet ved ny gjennomgang av kildene (sikkerhet: høy); kilden datert: 2016-11-07"
    )
    assert (
        str(note_html(note, "en")) == "research pass correction (confidence: high); source dated: 2016-11-07"
    )
    assert str(note_html("contact fact (high confidence): unit added in units_pass3.csv", "nb")) == (
        "kontaktopplysning (sikkerhet: høy)"
    )


def _bundled_texts(
    snapshot: RegistrySnapshot, fields: frozenset[str]
) -> Iterator[tuple[str, str, Provenance]]:
    for kind in (snapshot.organisations, snapshot.units, snapshot.offers, snapshot.teams):
        for record in kind.values():
            for field in sorted(fields):
                value = getattr(record, field, None)
                if value:
                    yield field, value, record.field_provenance.get(field) or record.provenance


@pytest.mark.parametrize("fields", [frozenset({"description"}), frozenset({"scope_note", "status_note"})])
def test_every_bundled_free_text_on_a_bokmal_page_is_translated_or_a_name(
    bundled_snapshot: RegistrySnapshot, fields: frozenset[str]
) -> None:
    """Every bundled English free text has an entry in the translation memory (a proper name's is itself)."""
    assert fields <= COMPILERS_ENGLISH
    english = {
        value
        for field, value, provenance in _bundled_texts(bundled_snapshot, fields)
        if ENGLISH.search(str(compilers_text(value, field, provenance, "nb")))
    }
    assert sorted(english) == []


def test_every_bundled_notes_remark_on_a_bokmal_page_is_translated_or_a_name(
    bundled_snapshot: RegistrySnapshot,
) -> None:
    english = {n: ENGLISH.findall(str(note_html(n, "nb"))) for n in _notes(bundled_snapshot)}
    assert {n: spans for n, spans in english.items() if spans} == {}


def test_the_memory_keys_are_public_text() -> None:
    assert [key for key in translation_memory("nb") if public_text(key) != key] == []


@pytest.fixture(scope="module")
def client(reference_engine: Engine) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=str(reference_engine.url)), Registry(reference_engine))
    with TestClient(app) as test_client:
        yield test_client


def test_no_unit_page_names_a_compilers_file_and_bokmal_pages_hold_no_bundled_english(
    client: TestClient, bundled_snapshot: RegistrySnapshot
) -> None:
    named, english = [], []
    for unit_id in sorted(bundled_snapshot.units):
        for language in ("nb", "en"):
            html = client.get(f"/enhet/{unit_id}?lang={language}").text
            named += [(unit_id, language, m.group(0)) for m in FILE_NAME.finditer(html)]
            if language == "nb":
                english += [(unit_id, m.group(1)) for m in ENGLISH.finditer(html)]
    assert named == [] and english == []
