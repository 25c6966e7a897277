"""A non-editable install (``pip install .``, what a deployment runs) ships every data file under src/tsbkart.

setuptools copies into the wheel only what ``[tool.setuptools.package-data]`` in pyproject.toml names, per
package; a folder with a dot in its name (``static/vendor/htmx.org``) is no package, so the ``"*"`` patterns
never look into it. An editable install reads the source tree and hides a gap: until this test, htmx and
Leaflet.markercluster were missing from an installed tsbkart (the finder's and the map's scripts answered 404).
The rules below are setuptools' (``find_namespace_packages`` and ``build_py``'s recursive ``glob``); the test
reads only pyproject.toml and the tree, no build and no git.
"""

from __future__ import annotations

import glob
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"
CODE_SUFFIXES = {".py", ".pyc", ".pyi"}
# Files that are read by nothing at run time and need not ship: placeholders that keep a folder in git.
NOT_SHIPPED = {".keep"}


def package_data(pyproject: Path) -> dict[str, list[str]]:
    config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    setuptools = config["tool"]["setuptools"]
    assert setuptools["packages"]["find"]["where"] == ["src"], "the test assumes the src layout"
    data: dict[str, list[str]] = setuptools.get("package-data", {})
    return data


def packages(src: Path) -> dict[str, Path]:
    """Every package setuptools finds under ``src``: each folder of tsbkart whose path has no dot in it."""
    found = {}
    for folder in [src / "tsbkart", *(p for p in (src / "tsbkart").rglob("*") if p.is_dir())]:
        parts = folder.relative_to(src).parts
        if "__pycache__" not in parts and not any("." in part for part in parts):
            found[".".join(parts)] = folder
    return found


def shipped(src: Path, data: dict[str, list[str]]) -> set[Path]:
    """The data files the wheel gets: each package's own patterns and the ``"*"`` ones, from its folder."""
    files: set[Path] = set()
    for name, folder in packages(src).items():
        for pattern in [*data.get("*", []), *data.get(name, [])]:
            files.update(Path(hit) for hit in glob.glob(str(folder / pattern), recursive=True))
    return {path for path in files if path.is_file()}


def data_files(src: Path) -> set[Path]:
    return {
        path
        for path in (src / "tsbkart").rglob("*")
        if path.is_file()
        and path.suffix not in CODE_SUFFIXES
        and path.name not in NOT_SHIPPED
        and "__pycache__" not in path.parts
    }


def test_every_data_file_under_src_tsbkart_is_shipped_by_a_package_data_pattern() -> None:
    missing = data_files(SRC) - shipped(SRC, package_data(ROOT / "pyproject.toml"))
    assert sorted(str(p.relative_to(SRC)) for p in missing) == []


def test_the_check_finds_a_file_in_a_folder_that_is_no_package(tmp_path: Path) -> None:
    vendor = tmp_path / "tsbkart" / "static" / "vendor" / "lib.org"
    vendor.mkdir(parents=True)
    (tmp_path / "tsbkart" / "page.html").write_text("<p>", encoding="utf-8")
    (vendor / "lib.min.js").write_text("1", encoding="utf-8")
    (vendor / "NOTICE").write_text("n", encoding="utf-8")
    star = {"*": ["*.html", "*.js"]}
    assert data_files(tmp_path) - shipped(tmp_path, star) == {vendor / "lib.min.js", vendor / "NOTICE"}
    whole = {**star, "tsbkart": ["static/vendor/**/*"]}
    assert data_files(tmp_path) - shipped(tmp_path, whole) == set()


@pytest.mark.parametrize("name", ["tsbkart.web.i18n.nb.bundled", "tsbkart.web.static.vendor.swagger-ui"])
def test_folders_without_a_dot_are_packages_even_without_an_init(name: str) -> None:
    assert name in packages(SRC)
