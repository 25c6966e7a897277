"""The text rules: safe ids, hidden characters by Unicode category, web addresses."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsbkart.domain.text_rules import ID_MAX_LENGTH, all_safe_ids, bad_character, is_safe_id, is_web_url


@pytest.mark.parametrize(
    "value",
    ["ous", "u1/offer-0001", "helse-bergen-rusmedisin/dogn_kort", "a.b", "x" * ID_MAX_LENGTH],
)
def test_safe_ids(value: str) -> None:
    assert is_safe_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "Ous",
        "a b",
        "a//b",
        "a/../b",
        "-a",
        "a-",
        "a\u200bb",
        "æøå",
        "a\nb",
        "a;b",
        "x" * (ID_MAX_LENGTH + 1),
    ],
)
def test_unsafe_ids(value: str) -> None:
    assert not is_safe_id(value)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Rus\u200bakutt", (3, "U+200B ZERO WIDTH SPACE")),
        ("abc\u202eevil", (3, "U+202E RIGHT-TO-LEFT OVERRIDE")),
        ("\x1b[31mred", (0, "U+001B ESC")),
        ("ring\x07", (4, "U+0007 BEL")),
        ("two\nlines", (3, "U+000A LINE FEED")),
        ("tab\there", (3, "U+0009 TAB")),
        ("D\ufffdgn", (1, "U+FFFD REPLACEMENT CHARACTER")),
        ("Døgnenhet – «Ås»", None),
    ],
)
def test_single_line_text(text: str, found: tuple[int, str] | None) -> None:
    assert bad_character(text) == found


def test_multi_line_text_may_break_lines_but_hide_nothing() -> None:
    assert bad_character("Linje 1\nLinje 2\tmed tab", multiline=True) is None
    assert bad_character("Linje 1\r\n", multiline=True) == (7, "U+000D CARRIAGE RETURN")
    assert bad_character("a\u2066b", multiline=True) == (1, "U+2066 LEFT-TO-RIGHT ISOLATE")


def test_every_control_format_and_separator_character_is_caught() -> None:
    categories = ("Cc", "Cf", "Zl", "Zp", "Cs")
    missed = [
        f"U+{cp:04X}"
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in categories and bad_character(chr(cp)) is None
    ]
    assert missed == []


@given(st.text(alphabet=st.characters(exclude_categories=["Cc", "Cf", "Zl", "Zp", "Cs"]), max_size=30))
def test_visible_text_passes(text: str) -> None:
    assert bad_character(text.replace("\ufffd", "")) is None


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://helse-bergen.no/avdelinger/rusmedisin", True),
        ("http://example.org", True),
        ("HTTPS://EXAMPLE.ORG/x", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(document.domain)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("https://", False),
        ("//example.org", False),
        ("www.example.org", False),
        ("https://exa mple.org", False),
        ("https://example.org/\u202ecod.exe", False),
        ("http://[::1", False),
        (None, False),
    ],
)
def test_web_urls(url: str | None, ok: bool) -> None:
    assert is_web_url(url) is ok


@given(
    st.lists(
        st.text(alphabet=st.sampled_from(["a", "z", "0", "-", "_", ".", "/", " ", "A", "ø"]), max_size=5)
    )
)
def test_all_safe_ids_agrees_with_each(ids: list[str]) -> None:
    assert all_safe_ids(ids) == all(is_safe_id(i) for i in ids)
