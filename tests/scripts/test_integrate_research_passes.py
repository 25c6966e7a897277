"""The bundled registry files are exactly what the research passes give (no value edited by hand)."""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = ROOT.parent / "shared" / "data"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "integrate", ROOT / "scripts" / "integrate_research_passes.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["integrate"] = module
    spec.loader.exec_module(module)
    return module


integrate = load_script()
needs_shared = pytest.mark.skipif(
    not SHARED.is_dir(), reason="the shared data folder is not beside the repository"
)


@needs_shared
def test_shipped_files_are_what_the_research_passes_give() -> None:
    assert integrate.main(["--shared", str(SHARED), "--check"]) == 0


@needs_shared
def test_every_change_names_its_source_and_reason() -> None:
    tables = integrate.build(SHARED)
    assert tables.changes and all(c["source_url"].startswith("http") and c["reason"] for c in tables.changes)
    assert len(tables.units) == 143 and len(tables.teams) == 28


@needs_shared
def test_unverified_old_phones_are_withheld() -> None:
    tables = integrate.build(SHARED)
    withheld = [c for c in tables.contacts if c["published"] == "no"]
    assert len(withheld) == 4 and all("verify before use" in c["note"] for c in withheld)


def _copy_shared(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(SHARED, folder, ignore=shutil.ignore_patterns("*.gz", "series"))
    return folder


@needs_shared
def test_a_duplicate_unit_in_a_pass_is_refused_with_file_line_and_field(tmp_path: Path) -> None:
    folder = _copy_shared(tmp_path)
    pass3 = folder / "tsb_units_pass3.csv"
    with pass3.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[0]["unit_id"] = "unn-avrusning-tromso"  # already in pass 1
    with pass3.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(integrate.IntegrationError, match=r"tsb_units_pass3.csv line 2, field unit_id"):
        integrate.build(folder)


@needs_shared
def test_a_contact_for_an_unknown_unit_is_refused(tmp_path: Path) -> None:
    folder = _copy_shared(tmp_path)
    contacts = folder / "contacts_pass3.csv"
    text = contacts.read_text(encoding="utf-8")
    contacts.write_text(text + "no-such-unit,phone,1,https://example.org,high,\n", encoding="utf-8")
    with pytest.raises(integrate.IntegrationError, match="unknown unit 'no-such-unit'"):
        integrate.build(folder)
