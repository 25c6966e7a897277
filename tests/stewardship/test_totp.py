"""The TOTP second factor: right codes pass once, a replayed code (or one older than a used code) does not."""

from __future__ import annotations

from datetime import timedelta

import pyotp
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.stewardship.helpers import CLI, NOW, add_user
from tsbkart.db.migrate import upgrade
from tsbkart.db.stewardship import UserRow
from tsbkart.stewardship.keys import Keys
from tsbkart.stewardship.totp import check_code, enrol

KEYS = Keys(b"totp-test-secret-key-long-enough-0123456789")


def _enrolled(engine: Engine) -> pyotp.TOTP:
    upgrade(engine)
    add_user(engine, "ada", "administrator")
    with Session(engine) as s, s.begin():
        return pyotp.parse_uri(enrol(s, "ada", KEYS, by=CLI, now=NOW))  # type: ignore[return-value]


def _check(engine: Engine, code: str, when: object) -> bool:
    with Session(engine) as s, s.begin():
        user = s.execute(select(UserRow).where(UserRow.username == "ada")).scalar_one()
        return check_code(user, KEYS, code, when)  # type: ignore[arg-type]


def test_a_code_is_accepted_once_and_never_replayed_within_its_window(sqlite_engine: Engine) -> None:
    totp = _enrolled(sqlite_engine)
    code = totp.at(NOW)
    assert _check(sqlite_engine, code, NOW)
    assert not _check(sqlite_engine, code, NOW)  # the same code again, same moment
    assert not _check(sqlite_engine, code, NOW + timedelta(seconds=20))  # still within the drift window


def test_a_later_code_passes_but_an_earlier_one_does_not(sqlite_engine: Engine) -> None:
    totp = _enrolled(sqlite_engine)
    later = NOW + timedelta(seconds=30)
    assert _check(sqlite_engine, totp.at(later), later)
    assert not _check(sqlite_engine, totp.at(NOW), later)  # the step before: within drift, but older
    assert _check(sqlite_engine, totp.at(later + timedelta(seconds=30)), later + timedelta(seconds=30))


def test_wrong_and_malformed_codes_are_refused(sqlite_engine: Engine) -> None:
    totp = _enrolled(sqlite_engine)
    wrong = "000000" if totp.at(NOW) != "000000" else "111111"
    assert not _check(sqlite_engine, wrong, NOW)
    assert not _check(sqlite_engine, "abcdef", NOW)
    assert not _check(sqlite_engine, totp.at(NOW + timedelta(minutes=5)), NOW)
