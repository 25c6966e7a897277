"""The core never imports the web layer (docs/architecture.md)."""

import ast
from pathlib import Path

import tsbkart

ROOT = Path(tsbkart.__file__).parent
# The layers above the core; every other folder of the package is core (atlas, planning, stewardship, ...).
OUTER = ("web", "cli")
CORE = tuple(sorted(p.name for p in ROOT.iterdir() if (p / "__init__.py").is_file() and p.name not in OUTER))


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_the_core_is_every_folder_but_web_and_cli() -> None:
    assert {"atlas", "analysis", "finder", "registry", "query", "views", "planning", "stewardship"} <= set(
        CORE
    )


def test_analysis_holds_only_numerics() -> None:
    """Data flows one way: the numerics import no registry, reference data, atlas or vocabulary."""
    offenders = [
        f"{path.name}: {name}"
        for path in (ROOT / "analysis").rglob("*.py")
        for name in _imports(path)
        if name.startswith("tsbkart.") and not name.startswith("tsbkart.analysis")
    ]
    assert offenders == []


def test_core_modules_do_not_import_the_web_layer() -> None:
    paths = [p for folder in CORE for p in (ROOT / folder).rglob("*.py")] + list(ROOT.glob("*.py"))
    offenders = [
        f"{path.relative_to(ROOT)}: {name}"
        for path in paths
        for name in _imports(path)
        if name.startswith(("tsbkart.web", "tsbkart.cli", "fastapi", "starlette"))
    ]
    assert offenders == []


def test_the_architecture_page_lists_every_folder() -> None:
    page = (ROOT.parents[1] / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = [name for name in (*CORE, *OUTER) if f"| `{name}/` |" not in page]
    assert missing == []
