"""The core's message catalogues: record field and kind labels and the template's column help, as gettext
``.po`` files in ``domain/i18n/<lang>/`` (English message ids, bokmål translations), read with Babel.

The web layer merges them into its catalogues (``tsbkart.web.i18n``); the core reads them where it writes
both languages at once, as the steward template does::

    translate("Street address", "nb")   # "Gateadresse"
    translate("Street address", "en")   # "Street address" (the English catalogue may leave msgstr empty)
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations


def compiled(path: Path, language: str) -> Translations:
    """One ``.po`` file as Babel translations (compiled in memory; no ``.mo`` files to keep in step)."""
    with path.open("rb") as handle:
        messages = read_po(handle, locale=language, domain=path.stem)
    buffer = io.BytesIO()
    write_mo(buffer, messages)
    buffer.seek(0)
    return Translations(buffer, domain=path.stem)


def catalogue_paths(language: str) -> list[Path]:
    """The core's ``.po`` files for ``language`` (none for a language without a folder)."""
    folder = Path(str(resources.files("tsbkart.domain") / "i18n" / language))
    return sorted(folder.glob("*.po"))


@cache
def record_translations(language: str) -> Translations:
    merged = Translations()
    for path in catalogue_paths(language):
        merged.merge(compiled(path, language))
    return merged


def translate(message: str, language: str) -> str:
    return str(record_translations(language).gettext(message))
