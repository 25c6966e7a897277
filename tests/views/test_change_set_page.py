"""The review pages' data without a database: who may decide, why approval is blocked, names and rows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from tests.registry.factories import offer, organisation, unit
from tsbkart.registry.changes import ABSENT, Delete, Upsert
from tsbkart.registry.snapshot import Geography, RegistrySnapshot
from tsbkart.stewardship.changesets import ChangeSet, Status
from tsbkart.stewardship.roles import Grant, Principal
from tsbkart.views.change_set_page import build_change_set_page, build_queue

KARI = Principal(1, "kari", "Kari", (Grant("steward", "organisation", "org-a"),))
RITA = Principal(3, "rita", "Rita", (Grant("reviewer", "catchment", "unn"),))
ADA = Principal(
    5, "ada", "Ada", (Grant("administrator", "national"), Grant("steward", "organisation", "org-a"))
)
SNAPSHOT = RegistrySnapshot.build(
    Geography.build([], [], []),
    organisations=[organisation("org-a")],
    units=[unit("unit-a")],
    offers=[offer("unit-a")],
    versions={"organisation": {"org-a": 1}, "unit": {"unit-a": 4}, "offer": {"unit-a/poliklinikk": 4}},
    revision=4,
)


def _change_set(author: Principal = KARI, status: Status = "submitted", based_on: int = 4) -> ChangeSet:
    moment = datetime(2026, 12, 1, 9, tzinfo=UTC)
    edited = replace(SNAPSHOT.units["unit-a"], name="Nytt navn", street_address="Storgata 1")
    changes = (
        Upsert(edited, based_on=based_on),
        Upsert(unit("unit-new", "org-a"), based_on=ABSENT),
        Delete("offer", "unit-a/poliklinikk", based_on=4),
    )
    return ChangeSet(1, "org-a", author.actor, status, changes, "", moment, moment, None, None, None, None)


def test_a_reviewer_of_the_area_may_decide_and_sees_every_record_by_name() -> None:
    page = build_change_set_page(_change_set(), SNAPSHOT, RITA)
    assert page.can_decide and page.can_reject and page.blocked is None and not page.is_author
    assert page.organisation_name == "Organisasjon org-a"
    assert [(r.record_id, r.name, r.op) for r in page.records] == [
        ("unit-a", "Nytt navn", "update"),
        ("unit-new", "Enhet unit-new", "create"),
        ("unit-a/poliklinikk", "unit-a/poliklinikk", "delete"),
    ]
    assert [row.field for row in page.records[0].rows] == ["name", "street_address"]
    service_type = next(row for row in page.records[2].rows if row.field == "service_type")
    assert service_type.vocabulary == "service_types"  # shown by its label


@pytest.mark.parametrize(
    ("change_set", "viewer", "allowed", "blocked"),
    [
        (_change_set(), KARI, False, "own"),  # a steward may not review at all
        (_change_set(ADA), ADA, True, "own"),
        (_change_set(based_on=3), RITA, True, "conflict"),
        (_change_set(status="approved"), RITA, True, "status"),
        (_change_set(status="draft"), RITA, True, "status"),
    ],
)
def test_why_approval_is_blocked(
    change_set: ChangeSet, viewer: Principal, allowed: bool, blocked: str
) -> None:
    page = build_change_set_page(change_set, SNAPSHOT, viewer)
    assert (page.may_review, page.blocked, page.can_decide) == (allowed, blocked, False)
    assert page.can_reject == (allowed and blocked == "conflict")


def test_an_administrator_may_approve_their_own_when_the_setting_allows() -> None:
    assert build_change_set_page(_change_set(ADA), SNAPSHOT, ADA, allow_admin_self_approval=True).can_decide
    assert not build_change_set_page(
        _change_set(RITA), SNAPSHOT, RITA, allow_admin_self_approval=True
    ).can_decide


def test_an_administrator_allowed_to_approve_their_own_is_not_offered_to_reject_it() -> None:
    page = build_change_set_page(_change_set(ADA), SNAPSHOT, ADA, allow_admin_self_approval=True)
    assert page.can_decide and not page.can_reject and page.can_withdraw


def test_the_author_may_rebase_only_a_stale_open_change_set() -> None:
    assert build_change_set_page(_change_set(based_on=3), SNAPSHOT, KARI).can_rebase
    assert not build_change_set_page(_change_set(), SNAPSHOT, KARI).can_rebase
    assert not build_change_set_page(_change_set(based_on=3, status="rejected"), SNAPSHOT, KARI).can_rebase
    assert build_change_set_page(_change_set(status="draft"), SNAPSHOT, KARI).can_withdraw


def test_the_queue_flags_conflicts() -> None:
    rows = build_queue([_change_set(), _change_set(based_on=3)], SNAPSHOT)
    assert [(r.records, r.conflicted) for r in rows] == [(3, False), (3, True)]
