"""The columns, derived from the field schema, cover every importable field and are documented."""

from __future__ import annotations

from dataclasses import fields

from tsbkart.exchange.columns import kind_for_sheet, load_columns
from tsbkart.registry.kinds import KINDS
from tsbkart.vocab import load_vocabularies


def test_every_record_field_has_a_column() -> None:
    for kind, spec in load_columns().items():
        wanted = {f.name for f in fields(KINDS[kind].cls)} - {"provenance", "field_provenance"}
        wanted |= {"source", "verified", "steward", "provenance_note"}
        assert set(spec.names) == wanted, kind


def test_every_column_is_documented_in_both_languages_and_vocabularies_exist() -> None:
    vocabs = load_vocabularies()
    for spec in load_columns().values():
        for column in spec.columns:
            assert column.description["nb"] and column.description["en"]
            assert column.description["nb"] != column.description["en"] or column.name == "id", column
            if column.vocabulary:
                assert vocabs[column.vocabulary].codes


def test_sheet_and_file_names_name_kinds() -> None:
    assert [kind_for_sheet(n) for n in ("tilbud", "Offers", "enheter", "unit", "x")] == [
        "offer",
        "offer",
        "unit",
        "unit",
        None,
    ]


def test_every_column_is_in_the_import_export_doc() -> None:
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "import-export.md").read_text(encoding="utf-8")
    for spec in load_columns().values():
        section = doc.split(f"### `{spec.sheet}`", 1)[1].split("###", 1)[0]
        for column in spec.columns:
            assert f"| `{column.name}` |" in section, (spec.sheet, column.name)
