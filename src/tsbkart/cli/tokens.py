"""``tsbkart token add|list|revoke``: API tokens of an organisation for the write API (issue #10).

Thin: the core is ``tsbkart.stewardship.tokens``. The secret is printed once, to standard output (so it can be
piped into a secret store), and never again; everything else goes to standard error in the configured language.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy.orm import Session

from tsbkart.cli.context import engine, out
from tsbkart.cli.context import print_message as _print
from tsbkart.cli.stewardship import _actor, _say
from tsbkart.db.migrate import upgrade
from tsbkart.domain.messages import Message
from tsbkart.stewardship import tokens

token_app = typer.Typer(help="API tokens for the write API: add, list, revoke.", no_args_is_help=True)


def _fail(text: Message) -> None:
    _print(text, "red")
    raise typer.Exit(1)


@token_app.command("add")
def token_add(
    organisation: Annotated[str, typer.Argument(help="The organisation whose records the token may change.")],
    name: Annotated[str, typer.Option("--name", help="Which system uses the token (shown in history).")],
    scope: Annotated[
        list[str], typer.Option("--scope", help="records:write (create, update, delete) or records:update.")
    ],
    kind: Annotated[
        list[str] | None, typer.Option("--kind", help="Only these record kinds (unit, offer, ...).")
    ] = None,
    field: Annotated[
        list[str] | None,
        typer.Option("--field", help="Only these fields, e.g. waiting_weeks (updates only)."),
    ] = None,
    days: Annotated[
        int | None, typer.Option(help="Days until the token expires (default 90, at most 365).")
    ] = None,
) -> None:
    """Make a token; its secret is printed once."""
    upgrade(engine())
    now = datetime.now(UTC)
    try:
        with Session(engine(), expire_on_commit=False) as session, session.begin():
            token, secret = tokens.create_token(
                session, organisation, name, scope, kinds=kind, fields=field, days=days, by=_actor(), now=now
            )
    except tokens.TokenInvalid as error:
        _fail(error.text)
        return
    _print(
        Message(
            "API token {id} made for {organisation}; it expires {expires}. The secret is shown only now:",
            id=token.id,
            organisation=token.organisation_id,
            expires=token.expires_at.date().isoformat(),
        )
    )
    out.print(secret, soft_wrap=True)


@token_app.command("list")
def token_list(
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="Only this organisation.")
    ] = None,
) -> None:
    """Every token (never its secret) with its scopes and state."""
    upgrade(engine())
    with Session(engine()) as session:
        found = tokens.list_tokens(session, [organisation] if organisation else None)
    say, now = _say(), datetime.now(UTC)
    headers = ("id", "organisation", "name", "scopes", "limited to", "expires", "last used", "state")
    table = Table(*(say(h) for h in headers))
    for t in found:
        limits = "; ".join(" ".join(part) for part in (t.kinds, t.fields) if part)
        table.add_row(
            str(t.id),
            escape(t.organisation_id),
            escape(t.name),
            " ".join(t.scopes),
            escape(limits),
            t.expires_at.date().isoformat(),
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "",
            say(f"token:{t.status(now)}"),
        )
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: Annotated[int, typer.Argument(help="The token's number (tsbkart token list).")],
) -> None:
    """Revoke a token at once; a system using it gets 401 from then on."""
    upgrade(engine())
    try:
        with Session(engine(), expire_on_commit=False) as session, session.begin():
            token = tokens.revoke_token(session, token_id, by=_actor(), now=datetime.now(UTC))
    except tokens.TokenNotFound:
        _fail(Message("No API token has the number {id}.", id=token_id))
        return
    _print(Message("API token {id} ({name}) is revoked.", id=token.id, name=token.name))


def register(app: typer.Typer) -> None:
    app.add_typer(token_app, name="token")
