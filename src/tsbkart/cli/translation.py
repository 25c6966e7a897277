"""The command line speaks the user's language: bokmål by default (``TSBKART_DEFAULT_LANGUAGE``), English
with ``--language en``. Messages come from the same catalogues as the pages (``web/i18n/<lang>/*.po``)::

    say = gettext_for("nb")
    say("Nothing was imported.")                       # "Ingenting ble importert."
    translate(Message("{field} is required", field="source"), say)   # "source må fylles ut"
"""

from __future__ import annotations

from collections.abc import Callable

from tsbkart.domain.messages import Message
from tsbkart.web.i18n import LANGUAGES, catalogue

Gettext = Callable[[str], str]


def gettext_for(language: str) -> Gettext:
    return catalogue(language).gettext


def translate(text: Message | str, gettext: Gettext) -> str:
    """``text`` in the catalogue's language; a plain string is looked up as it is (English otherwise)."""
    return text.translate(gettext) if isinstance(text, Message) else gettext(text)


def known_language(language: str) -> bool:
    return language in LANGUAGES
