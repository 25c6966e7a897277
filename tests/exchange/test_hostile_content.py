"""Content an import refuses, located by file, row and field: hidden characters, unsafe ids, future dates,
non-web addresses. Each of these was imported before the content rules existed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from tsbkart.domain.actors import Actor
from tsbkart.exchange.importer import import_files

from .helpers import SOURCE, seeded_registry


def _import(engine: Engine, path: Path, text: str) -> list[tuple[int | None, str | None, str]]:
    registry = seeded_registry(engine)
    path.write_text(text, encoding="utf-8")
    report = import_files(registry, [path], actor=Actor.cli("steward"), reason="test")
    assert report.revision is None
    return [(p.row, p.field, p.message) for p in report.problems]


def test_a_javascript_website_is_refused(engine: Engine, tmp_path: Path) -> None:
    found = _import(
        engine,
        tmp_path / "enheter.csv",
        f"id;name;organisation_id;website;source\nu7;Sju;org;javascript:alert(document.cookie);{SOURCE}\n",
    )
    assert [(row, field) for row, field, _ in found] == [(2, "website")]


def test_hidden_characters_unsafe_ids_and_future_dates(engine: Engine, tmp_path: Path) -> None:
    found = _import(
        engine,
        tmp_path / "tilbud.csv",
        "id;unit_id;service_type;verified;source\n"
        f"u1/a;u1;akutt;2026-11-01;{SOURCE}\n"
        f"U1/B;u1;akutt;2026-11-01;{SOURCE}\n"
        f"u1/c;u1;akutt;2999-01-01;{SOURCE}\n"
        f"u1/d;u1;akutt;2026-11-01;{SOURCE}\u202e\n"
        f"u1/e\u200b;u1;akutt;2026-11-01;{SOURCE}\n",
    )
    assert [(row, field) for row, field, _ in found] == [(3, "id"), (4, "verified"), (5, "source"), (6, "id")]
    assert "in the future" in found[1][2] and "U+202E RIGHT-TO-LEFT OVERRIDE" in found[2][2]


def test_a_line_break_in_a_quoted_name_is_refused(engine: Engine, tmp_path: Path) -> None:
    found = _import(
        engine, tmp_path / "enheter.csv", f'id;name;organisation_id;source\nu7;"Sju\nlinjer";org;{SOURCE}\n'
    )
    assert [(row, field) for row, field, _ in found] == [(2, "name")]
