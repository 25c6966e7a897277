"""Message catalogues: bokmål (default) and English, from gettext .po files in ``web/i18n/<lang>/``.

Every ``*.po`` file in a language folder is merged, so each feature keeps its own catalogue
(``pages.po``, ``finder.po``, ...) without editing anyone else's. Message ids are English source strings;
the English catalogue may leave ``msgstr`` empty (the id is then shown). Templates call ``_("...")``.
Babel reads the catalogues and gives the standard ``gettext`` translations object.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"


def _folder(language: str) -> Path:
    return Path(str(resources.files("tsbkart.web") / "i18n" / language))


def _translations(path: Path, language: str) -> Translations:
    with path.open("rb") as handle:
        messages = read_po(handle, locale=language, domain=path.stem)
    compiled = io.BytesIO()
    write_mo(compiled, messages)
    compiled.seek(0)
    return Translations(compiled, domain=path.stem)


@cache
def catalogue(language: str) -> Translations:
    """The merged catalogue of ``language`` (unknown languages fall back to bokmål)."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    merged = Translations()
    for path in sorted(_folder(language).glob("*.po")):
        merged.merge(_translations(path, language))
    return merged


def negotiate(query_lang: str | None, cookie_lang: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """Pick the UI language: ?lang= wins, then the cookie, else ``default`` (bokmål unless configured).

    Accept-Language is deliberately not read: the service is Norwegian and bokmål is the default for
    everyone (many Norwegian users run English-language browsers); English is one click away.
    """
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGUAGES:
            return candidate
    return default if default in LANGUAGES else DEFAULT_LANGUAGE
