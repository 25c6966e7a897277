from __future__ import annotations

import pytest

from tsbkart.stewardship.policy import ACTIONS, Resource, allowed
from tsbkart.stewardship.roles import Grant, Principal

A = Resource(organisation_id="org-a", region_code="helse-nord", catchment_code="unn")
B = Resource(organisation_id="org-b", region_code="helse-sor-ost", catchment_code="ous")


def person(*grants: Grant) -> Principal:
    return Principal(1, "p", "P", grants)


STEWARD_A = person(Grant("steward", "organisation", "org-a"))
REVIEWER_NORD = person(Grant("reviewer", "region", "helse-nord"))
REVIEWER_OUS = person(Grant("reviewer", "catchment", "ous"))
ADMIN = person(Grant("administrator", "national"))


def test_a_steward_edits_only_their_own_organisations_records() -> None:
    assert allowed(STEWARD_A, "record.edit", A)
    assert not allowed(STEWARD_A, "record.edit", B)
    assert not allowed(STEWARD_A, "changeset.review", A)


def test_a_reviewer_acts_in_their_region_or_catchment_only() -> None:
    assert allowed(REVIEWER_NORD, "changeset.review", A)
    assert not allowed(REVIEWER_NORD, "changeset.review", B)
    assert allowed(REVIEWER_OUS, "changeset.review", B)
    assert not allowed(REVIEWER_OUS, "changeset.review", A)


def test_an_administrator_may_do_everything_and_anonymous_nothing() -> None:
    for action in ACTIONS:
        assert allowed(ADMIN, action, A) and allowed(ADMIN, action)
        assert not allowed(None, action, A) and not allowed(None, action)


def test_without_a_resource_holding_a_listed_role_suffices() -> None:
    assert allowed(STEWARD_A, "account.view")
    assert not allowed(STEWARD_A, "audit.read")
    assert allowed(REVIEWER_NORD, "changeset.review")


def test_an_unknown_resource_area_is_refused_not_allowed() -> None:
    assert not allowed(REVIEWER_NORD, "changeset.review", Resource(organisation_id="org-a"))


def test_an_undeclared_action_is_an_error() -> None:
    with pytest.raises(KeyError, match=r"policy\.yaml"):
        allowed(ADMIN, "record.destroy")
