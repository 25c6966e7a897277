"""The change-set state machine, driven by hypothesis against a real (SQLite) database: draft -> submitted ->
approved | rejected, draft | submitted -> withdrawn, and nothing after approved, rejected or withdrawn. Edits
published by someone else meanwhile make an open change set stale: it can then be neither submitted nor
approved (Conflict) until it is rebased."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule
from sqlalchemy import Engine

from tests.registry.factories import offer
from tsbkart.db.engine import make_engine
from tsbkart.db.migrate import upgrade
from tsbkart.registry.changes import ABSENT, Upsert
from tsbkart.registry.store import Registry
from tsbkart.stewardship import changesets as cs
from tsbkart.stewardship.audit import verify

from .helpers import CLI, two_organisations
from .test_changesets import KARI, RITA

_FOLDER = tempfile.TemporaryDirectory()


@cache
def _world() -> tuple[Engine, Registry]:
    """One database for every example (built on first use, not at collection): each example makes its own
    change sets."""
    engine = make_engine(f"sqlite:///{Path(_FOLDER.name) / 'states.sqlite'}")
    upgrade(engine)
    return engine, two_organisations(engine)


ACTIONS = ("submit", "approve", "reject", "withdraw", "edit")


class ChangeSetStates(RuleBasedStateMachine):
    sets = Bundle("sets")

    def __init__(self) -> None:
        super().__init__()
        self.expected: dict[int, str] = {}
        self.stale: set[int] = set()
        self.records: dict[int, str] = {}
        self.engine, self.registry = _world()

    @rule(target=sets)
    def draft(self) -> int:
        # A new offer per change set (its own record), so approvals never conflict with each other.
        number = len(cs.for_organisations(self.engine, ["org-a"])) + 1
        record = offer("unit-a", "poliklinikk", id=f"unit-a/state-{number}")
        made = cs.create_draft(self.engine, KARI.actor, "org-a", [Upsert(record, based_on=ABSENT)])
        self.expected[made.id] = "draft"
        self.records[made.id] = record.id
        return made.id

    @rule(change_set=sets)
    def someone_else_publishes(self, change_set: int) -> None:
        """An import changes the change set's record (creating it when it does not exist yet)."""
        number = self.registry.latest_revision() + 1
        edited = offer("unit-a", "poliklinikk", id=self.records[change_set], description=f"import {number}")
        self.registry.commit([Upsert(edited)], actor=CLI, reason="import")
        if self.expected[change_set] in ("draft", "submitted"):
            self.stale.add(change_set)

    @rule(change_set=sets)
    def rebase(self, change_set: int) -> None:
        before = self.expected[change_set]
        try:
            cs.rebase(self.engine, self.registry.snapshot(), change_set, KARI.actor)
        except cs.InvalidTransition:
            assert before not in cs.ALLOWED_FROM["rebase"]
            return
        assert before in cs.ALLOWED_FROM["rebase"]
        self.stale.discard(change_set)

    @rule(change_set=sets, action=st.sampled_from(ACTIONS))
    def act(self, change_set: int, action: str) -> None:
        before = self.expected[change_set]
        allowed = before in cs.ALLOWED_FROM[action]  # type: ignore[index]
        try:
            if action == "submit":
                cs.submit(self.engine, change_set, KARI.actor)
            elif action == "approve":
                cs.approve(self.engine, self.registry, change_set, RITA)
            elif action == "reject":
                cs.reject(self.engine, change_set, RITA, "nei", snapshot=self.registry.snapshot())
            elif action == "withdraw":
                cs.withdraw(self.engine, change_set, KARI.actor)
            else:
                current = cs.get(self.engine, change_set)
                cs.update_draft(self.engine, change_set, KARI.actor, current.changes)
        except cs.InvalidTransition:
            assert not allowed, f"{action} refused from {before}"
            return
        except cs.Conflict:
            assert allowed and action in ("submit", "approve") and change_set in self.stale
            return
        assert allowed, f"{action} accepted from {before}"
        assert not (action in ("submit", "approve") and change_set in self.stale), f"stale {action} accepted"
        self.expected[change_set] = cs.RESULT[action] or before  # type: ignore[index]

    @invariant()
    def stored_status_is_the_model(self) -> None:
        for change_set, status in self.expected.items():
            found = cs.get(self.engine, change_set)
            assert found.status == status
            assert (found.revision_id is not None) == (status == "approved")
            assert (found.decided_by is not None) == (status in ("approved", "rejected"))
            if status in ("draft", "submitted"):
                assert bool(cs.conflicts(found, self.registry.snapshot())) == (change_set in self.stale)


ChangeSetStates.TestCase.settings = settings(max_examples=25, stateful_step_count=12, deadline=None)
TestChangeSetStates = ChangeSetStates.TestCase


def test_the_audit_chain_holds_after_the_state_machine() -> None:
    assert verify(_world()[0]).ok
