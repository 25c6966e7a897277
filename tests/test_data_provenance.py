"""Every data file the package ships has its provenance note beside it (``<file>.source.md``).

Vocabulary YAML files carry their sources inside (checked by the vocabulary loader's tests)."""

from __future__ import annotations

from pathlib import Path

import tsbkart

PACKAGE = Path(tsbkart.__file__).parent
NOTES = ".source.md"


def shipped_data_files() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE.glob("**/data/*")
        if path.is_file() and not path.name.endswith(".md") and path.suffix != ".yaml"
    )


def test_there_are_data_files_to_check() -> None:
    assert len(shipped_data_files()) >= 10


def test_every_data_file_has_a_provenance_note_beside_it() -> None:
    missing = [
        str(p.relative_to(PACKAGE)) for p in shipped_data_files() if not p.with_name(p.name + NOTES).is_file()
    ]
    assert missing == []


def test_every_provenance_note_belongs_to_a_file() -> None:
    orphans = [
        str(p.relative_to(PACKAGE))
        for p in PACKAGE.glob(f"**/data/*{NOTES}")
        if not p.with_name(p.name.removesuffix(NOTES)).is_file()
    ]
    assert orphans == []
