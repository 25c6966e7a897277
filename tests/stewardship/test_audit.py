"""The audit chain: appended in order, and ``verify`` notices rows altered or deleted directly in the database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, text

from tsbkart.stewardship.audit import GENESIS_HASH, AuditEvent, AuditFilter, export, record, search, verify
from tsbkart.stewardship.roles import ActorRef

from .helpers import NOW

KARI = ActorRef("user", "1", "Kari Nordmann")


def _fill(engine: Engine, n: int = 5) -> None:
    for i in range(n):
        record(
            engine,
            AuditEvent("sign_in", KARI, target="user:kari", source="127.0.0.1", detail={"i": i}),
            NOW + timedelta(days=i),
        )


def test_events_link_to_the_one_before_and_verify_passes(empty_engine: Engine) -> None:
    assert verify(empty_engine).ok and verify(empty_engine).events == 0
    _fill(empty_engine)
    with empty_engine.connect() as c:
        rows = c.execute(text("SELECT id, prev_hash, hash FROM audit_events ORDER BY id")).all()
    assert [r.id for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS_HASH
    assert all(rows[i].prev_hash == rows[i - 1].hash for i in range(1, 5))
    result = verify(empty_engine)
    assert result.ok and result.events == 5 and result.head_hash == rows[-1].hash


@pytest.mark.parametrize(
    ("tamper", "expected"),
    [
        ("UPDATE audit_events SET actor_name = 'Someone Else' WHERE id = 3", "event 3 was altered"),
        ("UPDATE audit_events SET outcome = 'failed' WHERE id = 1", "event 1 was altered"),
        ("DELETE FROM audit_events WHERE id = 2", "events 2–2 are missing"),
        ("DELETE FROM audit_events WHERE id = 5", "chain head names event 5"),
    ],
)
def test_verify_fails_after_a_row_is_altered_or_deleted_in_the_database(
    empty_engine: Engine, tamper: str, expected: str
) -> None:
    _fill(empty_engine)
    with empty_engine.begin() as c:
        c.execute(text(tamper))
    result = verify(empty_engine)
    assert not result.ok
    assert any(expected in p for p in result.problems), result.problems


def test_a_recomputed_hash_still_breaks_the_next_link(empty_engine: Engine) -> None:
    _fill(empty_engine)
    with empty_engine.begin() as c:
        c.execute(text("UPDATE audit_events SET hash = :h WHERE id = 2"), {"h": "f" * 64})
    problems = verify(empty_engine).problems
    assert any("event 3 does not link" in p for p in problems)


def test_secrets_never_enter_an_event() -> None:
    for key in ("password", "api_token", "totp_code", "client_secret"):
        with pytest.raises(ValueError, match="secrets"):
            AuditEvent("sign_in_failed", KARI, detail={key: "x"})
    with pytest.raises(ValueError, match="unknown audit action"):
        AuditEvent("made_up", KARI)


def test_export_takes_a_date_range_and_search_filters(empty_engine: Engine) -> None:
    _fill(empty_engine)
    record(
        empty_engine,
        AuditEvent("permission_refused", ActorRef("anonymous", None, "anonymous"), "refused"),
        NOW,
    )
    days = [e["detail"].get("i") for e in export(empty_engine, date(2026, 12, 2), date(2026, 12, 3))]
    assert days == [1, 2]
    assert all("hash" in e and "prev_hash" in e for e in export(empty_engine, None, None))
    refused = search(empty_engine, AuditFilter(outcome="refused"))
    assert refused.total == 1 and refused.events[0]["action"] == "permission_refused"
    by_name = search(empty_engine, AuditFilter(actor="kari"), per_page=2)
    assert by_name.total == 5 and by_name.pages == 3 and by_name.events[0]["id"] == 5


def test_concurrent_writers_keep_one_unbroken_chain(empty_engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def write(worker: int) -> None:
        for i in range(8):
            record(empty_engine, AuditEvent("sign_in", KARI, detail={"worker": worker, "i": i}))

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    result = verify(empty_engine)
    assert result.ok, result.problems
    assert result.events == 32
