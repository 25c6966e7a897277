"""A message to a person, kept as an English template and its values so any layer can translate it.

The core cannot import the web layer's catalogues, so it hands out ``Message`` objects: ``str()`` gives the
English text (what logs, tests and the API see), ``translate`` gives it in the user's language with the
catalogues' ``gettext``. The template is the catalogue's msgid::

    m = Message("expected a whole number, got {value}", value="'x'")
    str(m)                          # "expected a whole number, got 'x'"
    m.translate(catalogue("nb").gettext)   # "forventet et heltall, fikk 'x'"
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Message:
    template: str  # English, with {name} fields; the msgid in the catalogues
    args: tuple[tuple[str, str], ...] = ()

    def __init__(self, template: str, /, **args: object) -> None:
        object.__setattr__(self, "template", template)
        object.__setattr__(self, "args", tuple((k, str(v)) for k, v in args.items()))

    def __str__(self) -> str:
        return self.template.format(**dict(self.args)) if self.args else self.template

    def translate(self, gettext: Callable[[str], str]) -> str:
        text = gettext(self.template)
        return text.format(**dict(self.args)) if self.args else text


def quoted(value: object, limit: int = 60) -> str:
    """``repr`` of a value for a message, cut to about ``limit`` characters (a hostile cell can be huge)."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[: limit - 4]}…{text[-1]}"
