"""Message catalogues: bokmål (default) and English, from gettext .po files in ``web/i18n/<lang>/``.

Every ``*.po`` file in a language folder is merged, so each feature keeps its own catalogue
(``pages.po``, ``finder.po``, ...) without editing anyone else's. Message ids are English source strings;
the English catalogue may leave ``msgstr`` empty (the id is then shown). Templates call ``_("...")``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from babel.messages.pofile import read_po

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"


@dataclass(frozen=True, slots=True)
class Catalogue:
    language: str
    messages: Mapping[str, str]

    def gettext(self, message: str) -> str:
        return self.messages.get(message) or message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


def _folder(language: str) -> Path:
    return Path(str(resources.files("tsbkart.web") / "i18n" / language))


@cache
def catalogue(language: str) -> Catalogue:
    """The merged catalogue of ``language`` (unknown languages fall back to bokmål)."""
    if language not in LANGUAGES:
        language = DEFAULT_LANGUAGE
    messages: dict[str, str] = {}
    for path in sorted(_folder(language).glob("*.po")):
        with path.open("rb") as handle:
            for message in read_po(handle, locale=language):
                if (
                    message.id
                    and isinstance(message.id, str)
                    and isinstance(message.string, str)
                    and message.string
                ):
                    messages[message.id] = message.string
    return Catalogue(language, messages)


def negotiate(
    query_lang: str | None,
    cookie_lang: str | None,
    accept_language: str | None = None,
    default: str = DEFAULT_LANGUAGE,
) -> str:
    """Pick the UI language: ?lang= wins, then the cookie, else ``default`` (bokmål unless configured).

    ``accept_language`` is deliberately not used: the service is Norwegian and bokmål is the default for
    everyone (many Norwegian users run English-language browsers); English is one click away.
    """
    for candidate in (query_lang, cookie_lang):
        if candidate in LANGUAGES:
            return candidate
    return default if default in LANGUAGES else DEFAULT_LANGUAGE
