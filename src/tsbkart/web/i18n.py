"""Message catalogues: bokmål (default) and English, from gettext .po files in ``web/i18n/<lang>/``.

Every ``*.po`` file in a language folder is merged, so each feature keeps its own catalogue
(``pages.po``, ``finder.po``, ...) without editing anyone else's; the core's record labels
(``tsbkart/domain/i18n``) are merged in too. Message ids are English source strings;
the English catalogue may leave ``msgstr`` empty (the id is then shown). Templates call ``_("...")``.
Babel reads the catalogues and gives the standard ``gettext`` translations object.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from babel.support import Translations

from tsbkart.domain.catalogues import catalogue_paths, compiled

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"


def _folder(language: str) -> Path:
    return Path(str(resources.files("tsbkart.web") / "i18n" / language))


@cache
def catalogue(language: str) -> Translations:
    """The merged catalogue of ``language`` (unknown languages fall back to bokmål)."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    merged = Translations()
    # The record labels (tsbkart/domain/i18n) first, so a page catalogue may word a label differently.
    for path in [*catalogue_paths(language), *sorted(_folder(language).glob("*.po"))]:
        merged.merge(compiled(path, language))
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
