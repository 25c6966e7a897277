"""The core never imports the web layer (docs/architecture.md)."""

import ast
from pathlib import Path

import tsbkart

CORE = (
    "domain",
    "vocab",
    "db",
    "registry",
    "reference",
    "exchange",
    "quality",
    "finder",
    "analysis",
    "planning",
    "query",
    "views",
    "stewardship",
)


def test_core_modules_do_not_import_the_web_layer() -> None:
    root = Path(tsbkart.__file__).parent
    offenders = []
    for folder in CORE:
        for path in (root / folder).rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                offenders += [
                    f"{path.relative_to(root)}: {n}"
                    for n in names
                    if n.startswith(("tsbkart.web", "fastapi", "starlette"))
                ]
    assert offenders == []
