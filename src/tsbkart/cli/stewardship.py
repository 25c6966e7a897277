"""``tsbkart user ...`` and ``tsbkart audit ...`` (issue #10). Thin: parse arguments, call the core, print.

Every change is audited with the actor ``system:cli`` named after the operating-system user. The ``user``
commands speak bokmål by default (``TSBKART_DEFAULT_LANGUAGE``; ``en`` for English), through the catalogues.
"""

from __future__ import annotations

import getpass
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from tsbkart.cli.context import console, engine, out, registry, say, settings
from tsbkart.cli.context import print_message as _print
from tsbkart.cli.translation import Gettext, gettext_for, known_language
from tsbkart.db.migrate import upgrade
from tsbkart.domain.calendar import today as oslo_today
from tsbkart.domain.messages import Message
from tsbkart.stewardship import accounts, audit
from tsbkart.stewardship.keys import Keys
from tsbkart.stewardship.notices import send_notices
from tsbkart.stewardship.passwords import PasswordRejected
from tsbkart.stewardship.reminders import send_reminders, smtp_sender
from tsbkart.stewardship.roles import ActorRef, Grant
from tsbkart.stewardship.totp import enrol

user_app = typer.Typer(
    help="Accounts and roles: add, list, disable, enable, grant, revoke.", no_args_is_help=True
)
audit_app = typer.Typer(
    help="The audit log: verify the hash chain, export a date range.", no_args_is_help=True
)

Organisation = Annotated[str | None, typer.Option("--organisation", help="Organisation id (steward).")]
Region = Annotated[str | None, typer.Option("--region", help="Region code, e.g. helse-nord (reviewer).")]
Catchment = Annotated[
    str | None, typer.Option("--catchment", help="Catchment area code, e.g. unn (reviewer).")
]


def _say() -> Gettext:
    return say()


def grant_text(grant: Grant, say: Gettext) -> str:
    """``Forvalter (virksomhet org-a)``: a grant in the user's language."""
    role = say(f"role:{grant.role}")
    return (
        role
        if grant.scope_kind == "national"
        else f"{role} ({say('scope:' + grant.scope_kind)} {grant.scope_code})"
    )


def _actor() -> ActorRef:
    return ActorRef("system", "cli", f"cli:{getpass.getuser()}")


@contextmanager
def _transaction() -> Iterator[Session]:
    """One transaction; an AccountError or a refused password ends the command with the message and exit 1."""
    upgrade(engine())
    try:
        with Session(engine(), expire_on_commit=False) as session, session.begin():
            yield session
    except accounts.AccountError as error:
        _print(error.text, "red")
        raise typer.Exit(1) from None
    except PasswordRejected as error:  # str(error) is the rule's message id
        console.print(f"[red]{escape(_say()(str(error)))}[/red]")
        raise typer.Exit(1) from None


def _scope(
    organisation: str | None, region: str | None, catchment: str | None
) -> tuple[str | None, str | None]:
    given = [
        (k, v) for k, v in (("organisation", organisation), ("region", region), ("catchment", catchment)) if v
    ]
    if len(given) > 1:
        _print(Message("Give one of --organisation, --region, --catchment."), "red")
        raise typer.Exit(2)
    return given[0] if given else (None, None)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    value: str = typer.prompt(
        _say()("Password (at least 12 characters)"), hide_input=True, confirmation_prompt=True
    )
    return value


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="Login name (lower case).")],
    name: Annotated[str, typer.Option("--name", help="Display name shown on pages and in revisions.")],
    email: Annotated[str | None, typer.Option(help="E-mail address for reminders.")] = None,
    role: Annotated[
        str | None, typer.Option(help="Grant a role at once: administrator, reviewer, steward.")
    ] = None,
    organisation: Organisation = None,
    region: Region = None,
    catchment: Catchment = None,
    oidc_subject: Annotated[
        str | None, typer.Option(help="Sign in only through OpenID Connect, as this subject of the issuer.")
    ] = None,
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Create an account (the first administrator: ``tsbkart user add admin --name ... --role administrator``)."""
    password = None if oidc_subject else _password(password_stdin)
    now = datetime.now(UTC)
    with _transaction() as session:
        grant = accounts.parse_grant(role, *_scope(organisation, region, catchment)) if role else None
        user = accounts.create_user(
            session, username, name, by=_actor(), now=now, email=email, password=password, source="cli"
        )
        if oidc_subject:
            user.oidc_issuer, user.oidc_subject = settings().oidc_issuer, oidc_subject
        if grant is not None:
            accounts.grant_role(session, user.username, grant, by=_actor(), now=now)
    if grant is None:
        _print(Message("User {username} created.", username=user.username))
    else:
        _print(
            Message(
                "User {username} created as {grant}.", username=user.username, grant=grant_text(grant, _say())
            )
        )


@user_app.command("list")
def user_list() -> None:
    """Every account with its roles and state."""
    upgrade(engine())
    with Session(engine()) as session:
        users = accounts.list_users(session)
    say = _say()
    table = Table(*(say(h) for h in ("username", "name", "roles", "sign-in", "state", "last sign-in")))
    for u in users:
        methods = ", ".join(
            say(m)
            for m, on in (("password", u.has_password), ("oidc", u.oidc), ("totp", u.has_second_factor))
            if on
        )
        last = f"{u.last_sign_in_at:%Y-%m-%d %H:%M}" if u.last_sign_in_at else ""
        table.add_row(
            escape(u.username),
            escape(u.display_name),
            escape("; ".join(grant_text(g, say) for g in u.grants)),
            methods,
            say("disabled") if u.disabled else say("active"),
            last,
        )
    out.print(table)


@user_app.command("disable")
def user_disable(username: Annotated[str, typer.Argument()]) -> None:
    """Disable an account; its sessions end at once."""
    with _transaction() as session:
        ended = accounts.disable_user(session, username, by=_actor(), now=datetime.now(UTC), source="cli")
    _print(Message("{username} disabled; {count} session(s) ended.", username=username, count=ended))


@user_app.command("enable")
def user_enable(username: Annotated[str, typer.Argument()]) -> None:
    """Enable a disabled account again (and clear a sign-in lock)."""
    with _transaction() as session:
        accounts.enable_user(session, username, by=_actor(), now=datetime.now(UTC))
    _print(Message("{username} enabled.", username=username))


@user_app.command("password")
def user_password(
    username: Annotated[str, typer.Argument()],
    password_stdin: Annotated[bool, typer.Option(help="Read the password from standard input.")] = False,
) -> None:
    """Set a new password; the account's sessions end."""
    password = _password(password_stdin)
    with _transaction() as session:
        accounts.set_password(session, username, password, by=_actor(), now=datetime.now(UTC))
    _print(Message("Password of {username} changed.", username=username))


RoleChange = Callable[..., None]  # accounts.grant_role / revoke_role: (session, username, grant, *, by, now)


def _role_command(
    change: RoleChange, done: Callable[[str, str], Message], summary: str
) -> Callable[..., None]:
    """``user grant`` and ``user revoke``: the same arguments, one account change, one message
    (``done(username, grant text)``)."""

    def command(
        username: Annotated[str, typer.Argument()],
        role: Annotated[str, typer.Argument(help="administrator, reviewer or steward.")],
        organisation: Organisation = None,
        region: Region = None,
        catchment: Catchment = None,
    ) -> None:
        with _transaction() as session:
            grant = accounts.parse_grant(role, *_scope(organisation, region, catchment))
            change(session, username, grant, by=_actor(), now=datetime.now(UTC))
        _print(done(username, grant_text(grant, _say())))

    command.__doc__ = summary
    return command


user_app.command("grant")(
    _role_command(
        accounts.grant_role,
        lambda username, grant: Message("{username} is now {grant}.", username=username, grant=grant),
        "Give a role: ``grant kari steward --organisation unn-hf``, ``grant ola reviewer --region helse-nord``.",
    )
)
user_app.command("revoke")(
    _role_command(
        accounts.revoke_role,
        lambda username, grant: Message(
            "{username} no longer holds {grant}.", username=username, grant=grant
        ),
        "Take a role away (the same scope as it was granted with).",
    )
)


@user_app.command("totp")
def user_totp(username: Annotated[str, typer.Argument()]) -> None:
    """Give an administrator or reviewer a TOTP second factor; prints the otpauth:// URI for their app once."""
    with _transaction() as session:
        uri = enrol(session, username, Keys.from_settings(settings()), by=_actor(), now=datetime.now(UTC))
    console.print(escape(_say()("Load this into the authenticator app (it is shown only now):")))
    out.print(uri, soft_wrap=True)


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the whole hash chain; exit 1 naming each altered, deleted or inserted event."""
    result = audit.verify(engine())
    for problem in result.problems:
        console.print(f"[red]{escape(problem)}[/red]")
    if not result.ok:
        console.print(f"[red]The audit log is NOT intact ({result.events} events read).[/red]")
        raise typer.Exit(1)
    console.print(f"[green]The audit log is intact:[/green] {result.events} events.")
    out.print(f"head {result.head_hash}")


@audit_app.command("export")
def audit_export(
    start: Annotated[
        datetime | None, typer.Option("--from", formats=["%Y-%m-%d"], help="First day (UTC).")
    ] = None,
    end: Annotated[
        datetime | None, typer.Option("--to", formats=["%Y-%m-%d"], help="Last day (UTC).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="File to write (JSON Lines); standard output if absent.")
    ] = None,
) -> None:
    """Events of a date range as JSON Lines, with their hashes, so a copy can be checked elsewhere."""
    first: date | None = start.date() if start else None
    last: date | None = end.date() if end else None
    handle = output.open("w", encoding="utf-8") if output else sys.stdout
    count = 0
    try:
        for event in audit.export(engine(), first, last):
            handle.write(json.dumps(event, ensure_ascii=False, sort_keys=True) + "\n")
            count += 1
    finally:
        if output:
            handle.close()
    console.print(f"{count} event(s) exported.")


def remind(
    dry_run: Annotated[bool, typer.Option(help="List who would get what; send nothing.")] = False,
    language: Annotated[
        str, typer.Option(help="Language of the e-mail to accounts that have not signed in yet: nb or en.")
    ] = "nb",
) -> None:
    """Send each steward one digest of their facts due or overdue for verification, escalate long-overdue
    facts to the reviewers of their area, and send the notices of new error reports still pending (a failed
    or rate-bounded send from the web; run daily from cron; TSBKART_SMTP_* settings)."""
    if not known_language(language):
        console.print("[red]--language must be nb or en.[/red]")
        raise typer.Exit(2)
    upgrade(engine())
    config = settings()
    with smtp_sender(config) as send:
        report = send_reminders(
            engine(),
            registry().snapshot(),
            today=oslo_today(),
            now=datetime.now(UTC),
            send=send,
            gettext=gettext_for(language),
            base_url=config.public_base_url,
            sender=config.mail_from,
            dry_run=dry_run,
            gettext_for=gettext_for,
        )
        pending = send_notices(
            engine(),
            now=datetime.now(UTC),
            send=send,
            gettext=gettext_for(language),
            gettext_for=gettext_for,
            base_url=config.public_base_url,
            sender=config.mail_from,
            dry_run=dry_run,
        )
    verb = "would be sent" if dry_run else "sent"
    for digest in report.sent:
        out.print(f"{escape(digest.username)}: {digest.kind} with {len(digest.items)} fact(s) {verb}")
    for digest, error in report.failed:
        console.print(
            f"[red]{escape(digest.username)}: not sent ({escape(error)}); it is tried again next run.[/red]"
        )
    for notice in pending.sent:
        out.print(f"{escape(notice.username)}: notice of {len(notice.reports)} error report(s) {verb}")
    for notice, error in pending.failed:
        console.print(
            f"[red]{escape(notice.username)}: error report notice not sent ({escape(error)}); "
            "it is tried again next run.[/red]"
        )
    console.print(f"{report.due} fact(s) due or overdue; {len(report.sent)} e-mail(s) {verb}.")
    if pending.sent:
        console.print(f"{len(pending.sent)} error report notice(s) {verb}.")
    if report.failed or pending.failed:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("remind")(remind)
    app.add_typer(user_app, name="user")
    app.add_typer(audit_app, name="audit")
