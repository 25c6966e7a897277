"""Reasons: the sentence and parameters for plain values and ``{"nb", "en"}`` labels, as the reasons file's
templates say (the plain-value check before the label check must not change either)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tsbkart.finder.reasons import Reason, reason
from tsbkart.finder.rules import Label, reason_texts

PLAIN = st.one_of(
    st.none(), st.booleans(), st.integers(-1000, 1000), st.floats(-1e6, 1e6), st.text(max_size=6)
)
WORD = st.text(st.characters(codec="utf-8", exclude_characters="{}"), min_size=1, max_size=6)
LABEL = st.one_of(
    st.builds(lambda nb, en: {"nb": nb, "en": en}, WORD, WORD),
    st.builds(lambda nb, en: Label(nb=nb, en=en), WORD, WORD),
)


def _reference_shown(value: Any, language: str) -> str:
    """The formatting as it was written first: labels, then floats, then anything else."""
    if isinstance(value, (Mapping, Label)):
        return str(value[language])
    if isinstance(value, float):
        return (
            f"{value:.0f}" if value >= 10 else f"{value:.1f}".replace(".", "," if language == "nb" else ".")
        )
    return "" if value is None else str(value)


# (code, its parameters) for reasons with one, two and a label parameter (rules/reasons.yaml).
CASES = {
    "distance": ("km",),
    "travel_cost": ("cost", "unit"),
    "within_deadline": ("waiting", "deadline"),
    "age_below_min": ("age_min", "age"),
    "own_catchment": ("catchment",),
}


@given(
    code=st.sampled_from(sorted(CASES)),
    values=st.lists(st.one_of(PLAIN, LABEL), min_size=2, max_size=2),
)
def test_reason_formats_plain_values_and_labels(code: str, values: list[Any]) -> None:
    params = dict(zip(CASES[code], values, strict=False))
    got = reason(code, **params)
    text = reason_texts()[code]
    assert isinstance(got, Reason)
    assert got.code == code and got.kind == text.kind
    assert got.params == {k: (v["en"] if isinstance(v, (Mapping, Label)) else v) for k, v in params.items()}
    assert got.nb == text.nb.format(**{k: _reference_shown(v, "nb") for k, v in params.items()})
    assert got.en == text.en.format(**{k: _reference_shown(v, "en") for k, v in params.items()})


def test_reason_distance_in_both_languages() -> None:
    got = reason("distance", km=2.5)
    assert got.params == {"km": 2.5}
    assert "2,5" in got.nb and "2.5" in got.en
    assert reason("distance", km=12.34).en == "About 12 km as the crow flies from home"


def test_equal_values_of_other_types_are_other_reasons() -> None:
    # 1, 1.0 and True are equal (and hash alike) but read differently: the cache must not share them.
    assert reason("distance", km=1).nb == "Omtrent 1 km i luftlinje fra hjemstedet"
    assert reason("distance", km=1.0).nb == "Omtrent 1,0 km i luftlinje fra hjemstedet"
    assert reason("distance", km=True).params == {"km": True}
    assert reason("distance", km=1).params["km"].__class__ is int
