"""Change sets on SQLite and PostgreSQL: draft, submit, approve into one revision, reject, withdraw, the
conflict of two stewards editing one unit, rebase, self-approval, review areas and what publishes directly."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.registry.factories import offer, unit
from tsbkart.db.models import RevisionRow
from tsbkart.db.stewardship import AuditEventRow
from tsbkart.domain.actors import Actor
from tsbkart.domain.entities import Provenance
from tsbkart.registry.changes import ABSENT, Delete, Upsert
from tsbkart.registry.store import Registry
from tsbkart.registry.versions import Conflict
from tsbkart.stewardship import changesets as cs
from tsbkart.stewardship.audit import verify
from tsbkart.stewardship.roles import Grant, Principal

from .helpers import CLI, two_organisations

KARI = Principal(1, "kari", "Kari Steward", (Grant("steward", "organisation", "org-a"),))
PER = Principal(2, "per", "Per Steward", (Grant("steward", "organisation", "org-a"),))
RITA = Principal(3, "rita", "Rita Reviewer", (Grant("reviewer", "catchment", "unn"),))
SONJA = Principal(4, "sonja", "Sonja Reviewer", (Grant("reviewer", "region", "helse-sor-ost"),))
ADA = Principal(5, "ada", "Ada Admin", (Grant("administrator", "national"),))


def _events(engine: Engine, action: str) -> list[AuditEventRow]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEventRow).where(AuditEventRow.action == action)))


def _edit(registry: Registry, unit_id: str = "unit-a", **fields: object) -> Upsert:
    snap = registry.snapshot()
    return Upsert(replace(snap.units[unit_id], **fields), based_on=snap.version("unit", unit_id))  # type: ignore[arg-type]


def _submitted(engine: Engine, registry: Registry, who: Principal, **fields: object) -> cs.ChangeSet:
    draft = cs.create_draft(engine, who.actor, "org-a", [_edit(registry, **fields)], note="ny adresse")
    return cs.submit(engine, draft.id, who.actor)


def test_two_stewards_edit_one_unit_second_approval_conflicts_rebase_loses_nothing(engine: Engine) -> None:
    registry = two_organisations(engine)
    first = _submitted(engine, registry, KARI, name="Nytt navn")
    second = _submitted(engine, registry, PER, street_address="Storgata 1", name="Per sitt navn")
    approved = cs.approve(engine, registry, first.id, RITA)
    assert approved.status == "approved" and approved.revision_id is not None
    assert approved.decided_by == RITA.actor

    with pytest.raises(Conflict) as raised:
        cs.approve(engine, registry, second.id, RITA)
    assert raised.value.records[0].id == "unit-a"
    assert cs.get(engine, second.id).status == "submitted"  # nothing written, still in the queue
    snap = registry.snapshot()
    assert [s.id for s in cs.conflicts(cs.get(engine, second.id), snap)] == ["unit-a"]
    assert snap.units["unit-a"].street_address is None

    rebased = cs.rebase(engine, snap, second.id, PER.actor)
    assert cs.conflicts(rebased, snap) == []
    meanwhile = {m.field: m for m in rebased.rebased}
    assert meanwhile["name"].kept == "steward" and meanwhile["name"].current == "Nytt navn"
    done = cs.approve(engine, registry, second.id, RITA)
    final = registry.snapshot().units["unit-a"]
    assert (final.name, final.street_address) == ("Per sitt navn", "Storgata 1")
    with Session(engine) as session:
        revision = session.get(RevisionRow, done.revision_id)
        assert revision is not None
        assert (revision.actor_kind, revision.actor_id, revision.actor_name) == ("user", "2", "Per Steward")
        assert (revision.approved_by_id, revision.approved_by_name) == ("3", "Rita Reviewer")
    assert [e.target for e in _events(engine, "changeset_approved")] == [
        f"changeset:{first.id}",
        f"changeset:{second.id}",
    ]
    assert verify(engine).ok


def test_rebase_keeps_a_field_someone_else_changed_meanwhile(engine: Engine) -> None:
    registry = two_organisations(engine)
    mine = _submitted(engine, registry, PER, street_address="Storgata 1")
    registry.commit([_edit(registry, town="Tromsø")], actor=CLI, reason="import")
    rebased = cs.rebase(engine, registry.snapshot(), mine.id, PER.actor)
    assert {(m.field, m.kept) for m in rebased.rebased} == {("town", "current")}
    cs.approve(engine, registry, mine.id, RITA)
    final = registry.snapshot().units["unit-a"]
    assert (final.town, final.street_address) == ("Tromsø", "Storgata 1")


def test_drafting_editing_and_rebasing_are_audited_in_the_chain_without_the_values(engine: Engine) -> None:
    registry = two_organisations(engine)
    draft = cs.create_draft(
        engine, PER.actor, "org-a", [_edit(registry, street_address="Storgata 1")], source="198.51.100.7"
    )
    cs.update_draft(
        engine, draft.id, PER.actor, [_edit(registry, street_address="Storgata 2")], note="hemmelig"
    )
    registry.commit([_edit(registry, town="Tromsø")], actor=CLI, reason="import")
    cs.rebase(engine, registry.snapshot(), draft.id, PER.actor, source="198.51.100.7")
    events = {a: _events(engine, a) for a in ("changeset_drafted", "changeset_edited", "changeset_rebased")}
    assert all(len(found) == 1 for found in events.values())
    (drafted,), (edited,), (rebased,) = events.values()
    assert (drafted.actor_id, drafted.target, drafted.outcome, drafted.source) == (
        "2",
        f"changeset:{draft.id}",
        "ok",
        "198.51.100.7",
    )
    assert drafted.detail == {"organisation": "org-a", "changes": 1} == edited.detail
    assert rebased.detail == {"organisation": "org-a", "changes": 1, "meanwhile": 1}
    for event in (drafted, edited, rebased):
        assert not any(value in str(event.detail) for value in ("Storgata", "Tromsø", "hemmelig"))
    assert drafted.id < edited.id < rebased.id and verify(engine).ok


def test_a_proposal_through_the_write_api_audits_its_draft(engine: Engine) -> None:
    registry = two_organisations(engine)
    proposal = cs.propose(
        engine, registry, KARI.actor, "org-a", [_edit(registry, name="Nytt navn")], source="api"
    )
    assert proposal.change_set is not None
    (drafted,) = _events(engine, "changeset_drafted")
    assert (drafted.target, drafted.source) == (f"changeset:{proposal.change_set.id}", "api")


def test_self_approval_is_refused_and_audited_unless_the_setting_allows_administrators(
    engine: Engine,
) -> None:
    registry = two_organisations(engine)
    admin_steward = replace(ADA, grants=(*ADA.grants, Grant("steward", "organisation", "org-a")))
    own = _submitted(engine, registry, admin_steward, name="Eget navn")
    with pytest.raises(cs.SelfApprovalRefused):
        cs.approve(engine, registry, own.id, admin_steward)
    (refused,) = _events(engine, "self_approval")
    assert refused.outcome == "refused" and refused.target == f"changeset:{own.id}"
    approved = cs.approve(engine, registry, own.id, admin_steward, allow_admin_self_approval=True)
    assert approved.status == "approved"
    assert [e.outcome for e in _events(engine, "self_approval")] == ["refused", "ok"]


def test_a_reviewer_who_is_not_an_administrator_never_approves_their_own(engine: Engine) -> None:
    registry = two_organisations(engine)
    both = replace(RITA, grants=(*RITA.grants, *KARI.grants))
    own = _submitted(engine, registry, both, name="Eget navn")
    with pytest.raises(cs.SelfApprovalRefused):
        cs.approve(engine, registry, own.id, both, allow_admin_self_approval=True)


def test_nobody_rejects_their_own_change_set_not_even_an_administrator(engine: Engine) -> None:
    registry = two_organisations(engine)
    admin_steward = replace(ADA, grants=(*ADA.grants, Grant("steward", "organisation", "org-a")))
    own = _submitted(engine, registry, admin_steward, name="Eget navn")
    with pytest.raises(cs.SelfRejectionRefused) as raised:
        cs.reject(engine, own.id, admin_steward, "angrer", snapshot=registry.snapshot())
    assert raised.value.status == 403
    (refused,) = _events(engine, "permission_refused")
    assert refused.outcome == "refused" and refused.target == f"changeset:{own.id}"
    assert refused.detail["reason"] == "self_rejection"
    assert cs.get(engine, own.id).status == "submitted"  # nothing written: the author withdraws instead
    assert cs.withdraw(engine, own.id, admin_steward.actor).status == "withdrawn"
    assert verify(engine).ok


def test_a_reviewer_of_another_area_may_not_decide_and_is_audited(engine: Engine) -> None:
    registry = two_organisations(engine)
    submitted = _submitted(engine, registry, KARI, name="Nytt navn")
    snap = registry.snapshot()
    assert cs.queue_for(engine, SONJA, snap) == []
    assert [c.id for c in cs.queue_for(engine, RITA, snap)] == [submitted.id]
    assert [c.id for c in cs.queue_for(engine, ADA, snap)] == [submitted.id]
    with pytest.raises(cs.NotAllowed):
        cs.approve(engine, registry, submitted.id, SONJA)
    with pytest.raises(cs.NotAllowed):
        cs.reject(engine, submitted.id, SONJA, "nei", snapshot=snap)
    assert [e.outcome for e in _events(engine, "permission_refused")] == ["refused", "refused"]
    assert cs.get(engine, submitted.id).status == "submitted"


def test_reject_needs_a_reason_the_steward_then_sees(engine: Engine) -> None:
    registry = two_organisations(engine)
    submitted = _submitted(engine, registry, KARI, name="Nytt navn")
    snap = registry.snapshot()
    with pytest.raises(cs.ReasonRequired):
        cs.reject(engine, submitted.id, RITA, "  ", snapshot=snap)
    rejected = cs.reject(engine, submitted.id, RITA, "Kilden sier noe annet", snapshot=snap)
    assert (rejected.status, rejected.reason, rejected.decided_by) == (
        "rejected",
        "Kilden sier noe annet",
        RITA.actor,
    )
    assert cs.for_organisations(engine, ["org-a"], ("rejected",))[0].reason == "Kilden sier noe annet"
    assert registry.snapshot().units["unit-a"].name == "Enhet unit-a"
    with pytest.raises(cs.InvalidTransition):
        cs.approve(engine, registry, submitted.id, RITA)


def test_only_the_author_edits_submits_or_withdraws(engine: Engine) -> None:
    registry = two_organisations(engine)
    draft = cs.create_draft(engine, KARI.actor, "org-a", [_edit(registry, name="A")])
    with pytest.raises(cs.NotAuthor):
        cs.submit(engine, draft.id, PER.actor)
    with pytest.raises(cs.NotAuthor):
        cs.update_draft(engine, draft.id, PER.actor, [])
    updated = cs.update_draft(engine, draft.id, KARI.actor, [_edit(registry, name="B")], note="nytt navn")
    assert updated.note == "nytt navn" and updated.changes[0].record.name == "B"  # type: ignore[union-attr]
    withdrawn = cs.withdraw(engine, draft.id, KARI.actor)
    assert withdrawn.status == "withdrawn"
    assert len(_events(engine, "changeset_withdrawn")) == 1


def test_a_change_without_based_on_is_refused() -> None:
    with pytest.raises(ValueError, match="based_on"):
        cs.change_to_json(Upsert(unit()))


def test_diff_lists_fields_with_schema_labels_and_field_sources(engine: Engine) -> None:
    registry = two_organisations(engine)
    registry.commit([Upsert(offer("unit-a"))], actor=CLI, reason="test")
    snap = registry.snapshot()
    measured = Provenance("https://example.org/venteliste", verified=date(2026, 11, 30))
    edited = replace(
        snap.offers["unit-a/poliklinikk"],
        waiting_weeks=3.0,
        waiting_as_of=date(2026, 11, 30),
        field_provenance={"waiting_weeks": measured},
    )
    changes = [
        _edit(registry, street_address="Storgata 1"),
        Upsert(edited, based_on=snap.version("offer", edited.id)),
        Upsert(unit("unit-new", "org-a"), based_on=ABSENT),
    ]
    draft = cs.create_draft(engine, KARI.actor, "org-a", changes)
    rows = {(d.record_id, d.field, d.part): d for d in cs.diff(draft, snap)}
    address = rows[("unit-a", "street_address", "value")]
    assert (address.label, address.published, address.proposed, address.op) == (
        "Street address",
        None,
        "Storgata 1",
        "update",
    )
    assert rows[("unit-a/poliklinikk", "waiting_weeks", "value")].label == "Waiting time (weeks)"
    source = rows[("unit-a/poliklinikk", "waiting_weeks", "source")]
    assert source.proposed["source"] == "https://example.org/venteliste" and source.published is None
    assert rows[("unit-new", "name", "value")].op == "create"


def test_waiting_time_publishes_directly_and_the_address_waits_for_review(engine: Engine) -> None:
    registry = two_organisations(engine)
    registry.commit([Upsert(offer("unit-a"))], actor=CLI, reason="test")
    snap = registry.snapshot()
    current = snap.offers["unit-a/poliklinikk"]
    waiting = Upsert(
        replace(current, waiting_weeks=2.0, waiting_as_of=date(2026, 11, 30), intake_status="open"),
        based_on=snap.version("offer", current.id),
    )
    reverified = _edit(
        registry, "unit-b", provenance=replace(snap.units["unit-b"].provenance, verified=date(2026, 11, 30))
    )
    mixed = _edit(registry, street_address="Storgata 1", town="Tromsø")
    direct, review = cs.split_by_review([waiting, reverified, mixed], snap)
    assert direct == [waiting, reverified] and review == [mixed]
    assert cs.split_by_review([Delete("offer", current.id, based_on=1)], snap) == (
        [],
        [Delete("offer", current.id, based_on=1)],
    )


def test_propose_publishes_the_direct_part_and_drafts_the_rest_on_top_of_it(engine: Engine) -> None:
    registry = two_organisations(engine)
    registry.commit([Upsert(offer("unit-a"))], actor=CLI, reason="test")
    snap = registry.snapshot()
    current = snap.offers["unit-a/poliklinikk"]
    both = replace(current, waiting_weeks=5.0, waiting_as_of=date(2026, 11, 30), description="Ny tekst")
    proposal = cs.propose(
        engine, registry, KARI.actor, "org-a", [Upsert(both, based_on=snap.version("offer", current.id))]
    )
    published = registry.snapshot().offers[current.id]
    assert (published.waiting_weeks, published.description) == (5.0, None)
    assert proposal.change_set is not None and proposal.revision_id is not None
    after = registry.snapshot()
    assert cs.conflicts(proposal.change_set, after) == []
    assert [d.field for d in cs.diff(proposal.change_set, after)] == ["description"]
    assert len(_events(engine, "changes_published")) == 1
    with pytest.raises(ValueError, match="review"):
        cs.publish_direct(registry, KARI.actor, proposal.change_set.changes)


def test_withdrawn_and_decided_change_sets_take_no_further_action(engine: Engine) -> None:
    registry = two_organisations(engine)
    submitted = _submitted(engine, registry, KARI, name="Nytt")
    cs.withdraw(engine, submitted.id, KARI.actor)
    for attempt in (
        lambda: cs.submit(engine, submitted.id, KARI.actor),
        lambda: cs.approve(engine, registry, submitted.id, RITA),
        lambda: cs.withdraw(engine, submitted.id, KARI.actor),
        lambda: cs.update_draft(engine, submitted.id, KARI.actor, []),
    ):
        with pytest.raises(cs.InvalidTransition):
            attempt()
    with pytest.raises(cs.ChangeSetNotFound):
        cs.get(engine, 999)
    assert Actor("user", "1", "Kari Steward") == cs.get(engine, submitted.id).author


def test_the_second_to_submit_after_the_first_is_published_sees_the_conflict(engine: Engine) -> None:
    registry = two_organisations(engine)
    late = cs.create_draft(engine, PER.actor, "org-a", [_edit(registry, street_address="Storgata 1")])
    first = _submitted(engine, registry, KARI, name="Nytt navn")
    assert [o.id for o in cs.overlapping(engine, first)] == [late.id]
    cs.approve(engine, registry, first.id, RITA)
    with pytest.raises(Conflict):
        cs.submit(engine, late.id, PER.actor)
    assert cs.get(engine, late.id).status == "draft"
    snap = registry.snapshot()
    rows = {d.field: d for d in cs.diff(cs.get(engine, late.id), snap, engine)}
    assert rows["name"].changed_meanwhile and not rows["street_address"].changed_meanwhile
    cs.rebase(engine, snap, late.id, PER.actor)
    assert cs.submit(engine, late.id, PER.actor).status == "submitted"
    assert [d.field for d in cs.diff(cs.get(engine, late.id), registry.snapshot(), engine)] == [
        "street_address"
    ]
