"""Provenance notes and confidence levels in the page's language; every bundled note is covered."""

from __future__ import annotations

from datetime import date

from tsbkart.domain.entities import Provenance
from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.web.provenance import PHRASES, compilers_text, confidence_label, note_html, record_text


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
    note = "research pass correction (medium confidence): pass3.source.md (other corrections); source dated: undated page"
    assert str(note_html(note, "nb")) == (
        "rettet ved ny gjennomgang av kildene (sikkerhet: middels): "
        "pass3.source.md (andre rettelser); kilden datert: udatert side"  # the remark from notes.po
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
    note = "adults 18+; staff also ambulate to local offices"
    assert str(compilers_text(note, "description", bundled, "nb")) == f'<span lang="en">{note}</span>'
    assert str(compilers_text(note, "description", bundled, "en")) == note
    steward = Provenance("https://hf.example/enhet", date(2026, 12, 1), steward="Kari", note="Kari")
    assert str(compilers_text("voksne over 18 år", "description", steward, "nb")) == "voksne over 18 år"
    assert str(compilers_text("Tromsø", "town", bundled, "nb")) == "Tromsø"  # not a compiler's note


def test_a_bundled_unit_page_marks_the_compilers_notes(bundled_snapshot: RegistrySnapshot) -> None:
    team = next(t for t in bundled_snapshot.teams.values() if t.scope_note)
    assert str(record_text(team, "scope_note", "nb")).startswith('<span lang="en">')
    corrected = bundled_snapshot.offers["bk-loland/dogn_kort"]  # a research pass's description
    assert "description" in corrected.field_provenance
    assert str(record_text(corrected, "description", "nb")).startswith('<span lang="en">')
