"""Every import message has a bokmål translation with the same {fields}; the CLI prints them in nb or en."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import tsbkart
from tsbkart.cli.translation import gettext_for, translate
from tsbkart.domain.messages import Message
from tsbkart.web.i18n import catalogue

ROOT = Path(tsbkart.__file__).parent
SOURCES = [
    *(ROOT / "exchange").rglob("*.py"),
    *(ROOT / "cli").rglob("*.py"),
    *(ROOT / "backup").rglob("*.py"),
    ROOT / "registry" / "validation.py",
    ROOT / "registry" / "content.py",
]
FIELD = re.compile(r"\{(\w+)\}")


def _templates() -> list[str]:
    found: list[str] = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Message" and node.args:
                first = node.args[0]
                assert isinstance(first, ast.Constant), (
                    f"{path.name}:{node.lineno}: a Message needs a literal template"
                )
                found.append(first.value)
    return found


def test_the_scan_finds_the_messages() -> None:
    assert len(_templates()) > 40 and "{field} is required" in _templates()


@pytest.mark.parametrize("template", sorted(set(_templates())))
def test_every_message_has_a_bokmal_translation_with_the_same_fields(template: str) -> None:
    translated = catalogue("nb").gettext(template)
    assert translated != template, f"no bokmål for {template!r} in web/i18n/nb/*.po"
    assert sorted(FIELD.findall(translated)) == sorted(FIELD.findall(template))


def test_translate_fills_in_the_fields_in_either_language() -> None:
    message = Message("{field} is required", field="source")
    assert translate(message, gettext_for("nb")) == "source må fylles ut"
    assert translate(message, gettext_for("en")) == str(message) == "source is required"
    assert translate("Nothing was imported.", gettext_for("nb")) == "Ingenting ble importert."
