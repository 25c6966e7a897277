"""Where to get help now: the numbers every answer shows (map, finder, unit page), each with its source.

The numbers are declared once, in the finder's acute path (``tsbkart/finder/rules/acute.yaml``: 113 and the
legevakt 116 117 with their sources); this module only hands them to the pages::

    help_now()   # (HelpLine(code="emergency", number="113", label={"nb": ..., "en": ...}, source="https://..."),
                 #  HelpLine(code="legevakt", number="116 117", ...))

The national substance-use helpline (RUSinfo, financed by Helsedirektoratet) is listed by its web address:
no source we hold states its current number (docs/data-model.md, "Where to get help now")::

    helplines()  # (WebHelpline(code="rusinfo", name="RUSinfo", url="https://rusinfo.no/", label=..., source=...),)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tsbkart.finder.rules import acute_rules


@dataclass(frozen=True, slots=True)
class HelpLine:
    code: str
    number: str
    label: Mapping[str, str]  # language -> text
    source: str

    @property
    def dial(self) -> str:
        """The number as a ``tel:`` link takes it."""
        return self.number.replace(" ", "")


def help_now() -> tuple[HelpLine, ...]:
    return tuple(
        HelpLine(n.code, n.number, {"nb": n.label.nb, "en": n.label.en}, str(n.source))
        for n in acute_rules().numbers
    )


@dataclass(frozen=True, slots=True)
class WebHelpline:
    code: str
    name: str
    url: str
    label: Mapping[str, str]  # language -> text
    source: str


def helplines() -> tuple[WebHelpline, ...]:
    return tuple(
        WebHelpline(h.code, h.name, str(h.url), {"nb": h.label.nb, "en": h.label.en}, str(h.source))
        for h in acute_rules().helplines
    )
