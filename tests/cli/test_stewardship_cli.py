"""`tsbkart user ...` and `tsbkart audit ...` against a tmp SQLite database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.stewardship.cheap_hashing import cheap_argon2
from tests.stewardship.helpers import PASSWORD, two_organisations
from typer.testing import CliRunner

from tsbkart.cli import context
from tsbkart.cli.main import app
from tsbkart.db.migrate import upgrade
from tsbkart.domain.actors import Actor
from tsbkart.reference.build import write_geography
from tsbkart.reference.geography import load_geography


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from sqlalchemy.orm import Session

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv("TSBKART_DATABASE_URL", url)
    monkeypatch.setenv("TSBKART_SECRET_KEY_FILE", str(tmp_path / "secret_key"))
    monkeypatch.setenv("COLUMNS", "200")
    context.settings.cache_clear()
    context.engine.cache_clear()
    engine = context.engine()
    upgrade(engine)
    with Session(engine) as session, session.begin():
        write_geography(session, load_geography())
    two_organisations(engine)
    with cheap_argon2():
        yield url
    context.settings.cache_clear()
    context.engine.cache_clear()


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.output


def _add_kari_as_steward(email: str, organisation: str) -> None:
    code, output = run(
        "user",
        "add",
        "kari",
        "--name",
        "Kari",
        "--email",
        email,
        "--role",
        "steward",
        "--organisation",
        organisation,
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0, output


def test_first_administrator_then_users_roles_and_disable(cli_db: str) -> None:
    code, output = run(
        "user",
        "add",
        "admin",
        "--name",
        "Ada Admin",
        "--role",
        "administrator",
        stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert code == 0, output
    assert "opprettet som Administrator" in output
    assert run("user", "add", "kari", "--name", "Kari", "--password-stdin", stdin=PASSWORD + "\n")[0] == 0
    assert run("user", "grant", "kari", "steward", "--organisation", "org-a")[0] == 0
    assert run("user", "grant", "kari", "reviewer", "--catchment", "unn")[0] == 0
    assert run("user", "revoke", "kari", "reviewer", "--catchment", "unn")[0] == 0
    code, listing = run("user", "list")
    assert code == 0 and "Forvalter (virksomhet org-a)" in listing and "Godkjenner" not in listing
    code, output = run("user", "disable", "kari")
    assert code == 0 and "0 økt(er) avsluttet" in output
    assert "deaktivert" in run("user", "list")[1]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (("user", "add", "per", "--name", "Per", "--password-stdin"), "password\n", "minst 12"),
        (("user", "grant", "nobody", "steward", "--organisation", "org-a"), None, "Ingen bruker heter"),
        (("user", "disable", "nobody"), None, "Ingen bruker heter"),
    ],
)
def test_bad_input_gives_a_message_and_exit_1(
    cli_db: str, args: tuple[str, ...], stdin: str | None, message: str
) -> None:
    code, output = run(*args, stdin=stdin)
    assert code == 1 and message in output and "Traceback" not in output


def test_grant_with_a_scope_that_does_not_exist(cli_db: str) -> None:
    run("user", "add", "ola", "--name", "Ola", "--password-stdin", stdin=PASSWORD + "\n")
    code, output = run("user", "grant", "ola", "steward", "--organisation", "org-x")
    assert code == 1 and "Det finnes ingen virksomhet med id-en" in output and "organisation" not in output
    code, output = run("user", "grant", "ola", "reviewer", "--region", "helse-nord", "--catchment", "unn")
    assert code == 2 and "Oppgi én av" in output


def test_the_user_commands_speak_english_when_that_is_the_default(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TSBKART_DEFAULT_LANGUAGE", "en")
    context.settings.cache_clear()
    code, output = run(
        "user",
        "add",
        "ola",
        "--name",
        "Ola",
        "--role",
        "steward",
        "--organisation",
        "org-a",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert code == 0 and "User ola created as Steward (organisation org-a)." in output
    assert "No user is called 'nobody'" in run("user", "disable", "nobody")[1]


def test_totp_enrolment_is_for_administrators_and_reviewers(cli_db: str) -> None:
    run(
        "user",
        "add",
        "admin",
        "--name",
        "Ada",
        "--role",
        "administrator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    code, output = run("user", "totp", "admin")
    assert code == 0 and "otpauth://totp/tsbkart:admin?secret=" in output
    run(
        "user",
        "add",
        "kari",
        "--name",
        "Kari",
        "--role",
        "steward",
        "--organisation",
        "org-a",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert run("user", "totp", "kari")[0] == 1


def test_audit_verify_and_export_then_tampering_is_detected(cli_db: str, tmp_path: Path) -> None:
    run(
        "user",
        "add",
        "admin",
        "--name",
        "Ada",
        "--role",
        "administrator",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    code, output = run("audit", "verify")
    assert code == 0 and "intact" in output and "2 events" in output
    target = tmp_path / "audit.jsonl"
    assert (
        run("audit", "export", "--from", "2000-01-01", "--to", "2999-12-31", "--output", str(target))[0] == 0
    )
    events = [json.loads(line) for line in target.read_text().splitlines()]
    assert [e["action"] for e in events] == ["user_created", "role_granted"]
    assert all(PASSWORD not in line for line in target.read_text().splitlines())
    with context.engine().begin() as c:
        c.execute(text("UPDATE audit_events SET target = 'user:someone' WHERE id = 1"))
    code, output = run("audit", "verify")
    assert code == 1 and "event 1 was altered" in output and "NOT intact" in output


def test_remind_sends_one_digest_then_none_the_same_day(cli_db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date

    from tests.registry.factories import organisation
    from tests.stewardship.smtp_server import smtp_server

    from tsbkart.domain.entities import Provenance
    from tsbkart.registry.store import Registry, Upsert

    old = Provenance("https://example.org/old", verified=date(2020, 1, 15))
    Registry(context.engine()).commit(
        [Upsert(organisation("org-old", provenance=old))], actor=Actor.cli("t"), reason="synthetic"
    )
    _add_kari_as_steward("kari@old.example", "org-old")
    with smtp_server() as inbox:
        monkeypatch.setenv("TSBKART_SMTP_PORT", str(inbox.port))
        monkeypatch.setenv("TSBKART_PUBLIC_BASE_URL", "https://tsbkart.example")
        context.settings.cache_clear()
        code, output = run("remind", "--dry-run")
        assert code == 0 and "kari: digest with 1 fact(s) would be sent" in output and inbox.messages == []
        code, output = run("remind")
        assert code == 0 and "1 e-mail(s) sent" in output
        code, output = run("remind")
        assert code == 0 and "0 e-mail(s) sent" in output
    (mail,) = inbox.messages
    assert mail["To"] == "kari@old.example" and "Organisasjon org-old" in mail.get_content()
    assert "https://tsbkart.example/logg-inn" in mail.get_content()
    assert run("remind", "--language", "de")[0] == 2


def test_remind_sends_the_pending_notices_of_error_reports(
    cli_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from tests.registry.factories import organisation, unit
    from tests.stewardship.smtp_server import smtp_server

    from tsbkart.registry.store import Registry, Upsert
    from tsbkart.stewardship.reports import file_report

    registry = Registry(context.engine())
    registry.commit(
        [Upsert(organisation("org-r")), Upsert(unit("unit-r", "org-r"))],
        actor=Actor.cli("t"),
        reason="synthetic",
    )
    _add_kari_as_steward("kari@r.example", "org-r")
    report = file_report(
        context.engine(),
        registry.snapshot(),
        "unit",
        "unit-r",
        "Feil adresse",
        None,
        "nb",
        now=datetime.now(UTC),
        source="t",
    )
    with smtp_server() as inbox:
        monkeypatch.setenv("TSBKART_SMTP_PORT", str(inbox.port))
        context.settings.cache_clear()
        code, output = run("remind", "--dry-run")
        assert (
            code == 0 and "kari: notice of 1 error report(s) would be sent" in output and inbox.messages == []
        )
        code, output = run("remind", "--language", "en")
        assert code == 0 and "1 error report notice(s) sent" in output
        code, output = run("remind")
        assert code == 0 and "error report notice" not in output
    notices = [m for m in inbox.messages if "error report" in m["Subject"]]
    assert [m["Subject"] for m in notices] == [f"tsbkart: new error report {report.reference}"]


def test_history_shows_an_approved_change_set_with_steward_and_approver(cli_db: str) -> None:
    from dataclasses import replace

    from tsbkart.registry.changes import Upsert
    from tsbkart.registry.store import Registry
    from tsbkart.stewardship import changesets
    from tsbkart.stewardship.roles import Grant, Principal

    engine = context.engine()
    registry = Registry(engine)
    snapshot = registry.snapshot()
    steward = Actor("user", "7", "Kari Nordmann")
    reviewer = Principal(8, "rita", "Rita Kontroll", (Grant("reviewer", "catchment", "unn"),))
    edited = replace(snapshot.units["unit-a"], street_address="Storgata 1")
    draft = changesets.create_draft(
        engine, steward, "org-a", [Upsert(edited, based_on=snapshot.version("unit", "unit-a"))], "ny adresse"
    )
    changesets.submit(engine, draft.id, steward)
    approved = changesets.approve(engine, registry, draft.id, reviewer)
    shown = CliRunner().invoke(app, ["history", "unit-a"])
    assert shown.exit_code == 0, shown.output
    heading = next(line for line in shown.output.splitlines() if f"rev {approved.revision_id} " in line)
    assert "Kari Nordmann (user 7) · approved by Rita Kontroll (user 8)" in heading
    assert f"change set {draft.id}: ny adresse" in heading
    assert "street_address: None → 'Storgata 1'" in shown.output
