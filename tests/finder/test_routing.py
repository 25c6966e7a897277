"""Routing texts are built once per team object: the same team reuses them, a newer record gets its own."""

from __future__ import annotations

from dataclasses import replace

from tests.finder.builders import team
from tsbkart.finder.routing import _routing


def test_the_same_team_reuses_its_routing_and_a_changed_team_is_not_served_stale() -> None:
    first = team("t-1", "cat-a", "all_tsb")
    assert _routing("home_all_tsb", first) is _routing("home_all_tsb", first)
    renamed = replace(first, name="Nytt navn")  # the same record in a newer snapshot
    assert _routing("home_all_tsb", renamed).name == "Nytt navn"
    assert _routing("home_all_tsb", first).name == first.name
    assert _routing("home_all_tsb", None).known is False
