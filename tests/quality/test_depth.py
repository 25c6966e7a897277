"""Data depth: each unit counts once per fact, whether the unit or one of its offers states it."""

from __future__ import annotations

from tests.registry.factories import offer, organisation, team, unit
from tsbkart.quality.depth import DepthFact, DepthRules, area_depth, depth, known, render_depth_text
from tsbkart.registry.snapshot import RegistrySnapshot


def _snapshot(bundled_snapshot: RegistrySnapshot) -> RegistrySnapshot:
    return RegistrySnapshot.build(
        bundled_snapshot.geography,
        organisations=[organisation()],
        units=[
            unit("a", phone="77 00 00 00", beds=10),
            unit("b", website="https://example.org/b"),
            unit("c", catchment_code="finnmark"),
            unit("d", catchment_code=None),
        ],
        offers=[
            offer("a", "dogn_kort", waiting_weeks=3.0, intake_status="open", beds=10),
            offer("a", "poliklinikk", waiting_weeks=2.0),  # a second offer with waiting time counts once
            offer("b", "poliklinikk", target_groups=("young",), intake_status="unknown"),
        ],
        teams=[team("t1"), team("t2", catchment_code="finnmark")],
    )


def test_counts_units_per_catchment_and_for_the_country(bundled_snapshot: RegistrySnapshot) -> None:
    report = depth(_snapshot(bundled_snapshot))
    unn = report.row("unn")
    assert unn is not None and (unn.units, unn.teams) == (2, 1)
    assert unn.with_fact == {
        "phone": 1,
        "website": 1,
        "waiting_time": 1,
        "intake_status": 1,  # "unknown" does not count as stated
        "target_groups": 1,
        "beds": 1,
    }
    assert unn.share("phone") == 0.5
    finnmark = report.row("finnmark")
    assert (
        finnmark is not None and finnmark.units == 1 and finnmark.teams == 1 and finnmark.share("phone") == 0
    )
    empty = report.row("akershus")
    assert empty is not None and empty.units == 0 and empty.share("phone") is None
    assert report.total.units == 4 and report.total.with_fact["phone"] == 1  # unit d has no catchment


def test_area_depth_counts_the_given_units(bundled_snapshot: RegistrySnapshot) -> None:
    row = area_depth(_snapshot(bundled_snapshot), ["a", "c"])
    assert row.units == 2 and row.with_fact["phone"] == 1 and row.with_fact["website"] == 0


def test_facts_are_data(bundled_snapshot: RegistrySnapshot) -> None:
    rules = DepthRules(
        version=1, facts=(DepthFact(code="town", label={"nb": "Sted", "en": "Town"}, unit=("town",)),)
    )
    report = depth(_snapshot(bundled_snapshot), rules)
    assert list(report.total.with_fact) == ["town"]


def test_unknown_is_not_known() -> None:
    assert not any(known(v) for v in (None, "", "  ", (), "unknown"))
    assert all(known(v) for v in (0, False, "x", ("a",), 0.0))


def test_text_table_shows_shares_and_dashes(bundled_snapshot: RegistrySnapshot) -> None:
    text = render_depth_text(depth(_snapshot(bundled_snapshot)), "nb")
    assert "Datadybde per opptaksområde" in text and "Hele landet" in text
    unn_line = next(line for line in text.splitlines() if line.startswith("Universitetssykehuset Nord-Norge"))
    assert "50%" in unn_line
    ahus_line = next(line for line in text.splitlines() if line.startswith("Akershus"))
    assert "–" in ahus_line


def test_target_groups_stated_for_the_unit_count(bundled_snapshot: RegistrySnapshot) -> None:
    # Since #11 a source's groups for a whole unit stay on the unit; they are depth too (it counted 0 before).
    snapshot = RegistrySnapshot.build(
        bundled_snapshot.geography,
        organisations=[organisation()],
        units=[unit("a", target_groups=("adults",)), unit("b")],
        offers=[offer("a", "poliklinikk"), offer("b", "poliklinikk")],
        teams=[],
    )
    assert depth(snapshot).row("unn").with_fact["target_groups"] == 1  # type: ignore[union-attr]
