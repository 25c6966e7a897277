"""Provenance notes and confidence levels in the page's language; every bundled note is covered."""

from __future__ import annotations

from tsbkart.registry.snapshot import RegistrySnapshot
from tsbkart.web.provenance import PHRASES, confidence_label, note_html


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
