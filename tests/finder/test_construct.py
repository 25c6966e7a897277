"""``constructed`` makes the object ``model_construct`` makes: equal, same fields set, same JSON."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tsbkart.finder.construct import constructed
from tsbkart.finder.reasons import Reason
from tsbkart.finder.routing import Routing

PARAM = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8))
TEXT = st.text(max_size=12)


@given(code=TEXT, kind=TEXT, params=st.dictionaries(TEXT, PARAM, max_size=3), nb=TEXT, en=TEXT)
def test_constructed_is_model_construct(
    code: str, kind: str, params: dict[str, Any], nb: str, en: str
) -> None:
    values: dict[str, Any] = {"code": code, "kind": kind, "params": params, "nb": nb, "en": en}
    expected = Reason.model_construct(**values)
    got = constructed(Reason, dict(values), expected.model_fields_set)
    assert got == expected
    assert got.model_fields_set == expected.model_fields_set
    assert got.model_dump_json() == expected.model_dump_json()
    assert got.model_dump_json(exclude_unset=True) == expected.model_dump_json(exclude_unset=True)


def test_constructed_with_some_fields_set_and_assignment() -> None:
    template = Routing.model_construct(known=False, basis="none_known", nb="x", en="y")
    values = {name: getattr(template, name) for name in Routing.model_fields}
    first = constructed(Routing, dict(values), template.model_fields_set)
    second = constructed(Routing, dict(values), template.model_fields_set)
    assert first == template
    assert first.model_dump_json(exclude_unset=True) == template.model_dump_json(exclude_unset=True)
    # Each object has its own fields set: an assignment on one marks only that one.
    first.team_id = "t"
    assert "team_id" in first.model_fields_set
    assert "team_id" not in second.model_fields_set
    assert "team_id" not in template.model_fields_set
