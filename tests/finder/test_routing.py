"""Routing texts are built once per team object: the same team reuses them, a newer record gets its own; one
Router serves a whole search."""

from __future__ import annotations

from dataclasses import replace

from tests.finder.builders import offer, snapshot, team, unit
from tsbkart.finder.index import finder_index
from tsbkart.finder.routing import Router, _routing, route


def test_the_same_team_reuses_its_routing_and_a_changed_team_is_not_served_stale() -> None:
    first = team("t-1", "cat-a", "all_tsb")
    assert _routing("home_all_tsb", first) is _routing("home_all_tsb", first)
    renamed = replace(first, name="Nytt navn")  # the same record in a newer snapshot
    assert _routing("home_all_tsb", renamed).name == "Nytt navn"
    assert _routing("home_all_tsb", first).name == first.name
    assert _routing("home_all_tsb", None).known is False


def test_one_router_for_many_offers_routes_each_as_route_alone() -> None:
    # A search routes all its results through one Router, which keeps what it worked out per service type and
    # area: every offer must still get what route() gives it on its own, in any order.
    units = [
        unit("a", "hf-north", "north", 70.0, 20.0, municipality_code="9001"),
        unit("s", "hf-south", "south", 60.0, 10.0, municipality_code="9002"),
        unit("o", "hf-south", "south", 60.1, 10.1, municipality_code="9003"),
    ]
    offers = [
        offer("a", "poliklinikk"),
        offer("a", "lar"),
        offer("s", "dogn_lang"),
        offer("s", "lar"),
        offer("o", "poliklinikk"),
        offer("o", "avrusning", assessment_team_id="own"),
    ]
    teams = [
        team("young", "north", "all_tsb", age_max=29),
        team("lar", "north", "lar_only"),
        team("south", "south", "all_tsb", age_min=30),
        team("own", "south", "own_unit", organisation_id="hf-south", municipality_code="9003"),
        team("unknown", "north", "unknown"),
    ]
    snap = snapshot(units, offers, teams)
    index = finder_index(snap)
    pairs = [(o, snap.units[o.unit_id]) for o in snap.offers.values()]
    for home in ("north", "south", None):
        for age in (20, 45):
            router = Router(snap, index, home_catchment=home, age=age)
            for o, u in pairs + pairs[::-1]:
                alone = route(snap, index, home_catchment=home, age=age, offer=o, unit=u)
                assert router.route(o, u) == alone, (home, age, o.id)
            for lar in (False, True):
                assert router.route(None, lar=lar) == route(
                    snap, index, home_catchment=home, age=age, lar=lar
                )
