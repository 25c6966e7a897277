"""`tsbkart token add|list|revoke` against a tmp SQLite database: the secret printed once, bokmål messages."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session
from tests.cli.test_stewardship_cli import cli_db, run

from tsbkart.cli import context
from tsbkart.db.stewardship import ApiTokenRow
from tsbkart.stewardship.keys import token_hash

__all__ = ["cli_db"]


def test_add_list_revoke(cli_db: str) -> None:
    code, output = run(
        "token", "add", "org-a", "--name", "Ventetider", "--scope", "records:update",
        "--kind", "offer", "--field", "waiting_weeks", "--days", "30",
    )  # fmt: skip
    assert code == 0, output
    assert "vises bare nå" in output
    secret = re.search(r"tsbk_[A-Za-z0-9_-]+", output)
    assert secret
    with Session(context.engine()) as s:
        row = s.execute(select(ApiTokenRow)).scalar_one()
    assert row.token_hash == token_hash(secret.group(0))
    code, listing = run("token", "list")
    assert code == 0 and "Ventetider" in listing and "aktiv" in listing and secret.group(0) not in listing
    code, output = run("token", "revoke", str(row.id))
    assert code == 0 and "trukket tilbake" in output
    assert "trukket tilbake" in run("token", "list", "--organisation", "org-a")[1]


def test_bad_input_is_a_message_in_bokmal(cli_db: str) -> None:
    code, output = run("token", "add", "org-a", "--name", "x", "--scope", "records:all")
    assert code == 1 and "Oppgi én eller flere tilganger" in output
    code, output = run("token", "add", "nope", "--name", "x", "--scope", "records:write")
    assert code == 1 and "Ingen virksomhet" in output
    code, output = run("token", "revoke", "42")
    assert code == 1 and "Ingen API-nøkkel har nummeret 42" in output
