"""`create-user`, `set-role`, `set-organisation` and `lift-embargoes`."""

from __future__ import annotations

import sys
from datetime import date

import click

from ..context import resources
from ..db import transaction
from ..models import ROLES
from ..services.accounts import AccountError, create_user, get_user_by_email, set_organisation, set_role
from ..services.embargoes import lift_due_embargoes
from .database import with_database


def _read_password() -> str:
    """Read the password from stdin when piped, else prompt twice without echo."""
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="reader", show_default=True, help="The account's role.")
@click.option("--name", default="", help="The person's name (default: the part of the email before @).")
@click.option("--organisation", default="", metavar="NAME",
              help="Confirmed member of this organisation (opens its restricted items).")
@with_database
def create_user_command(email: str, role: str, name: str, organisation: str) -> None:
    """Create an account; the password is read from stdin if piped, else prompted for."""
    password = _read_password()
    try:
        with transaction(resources().sessions) as session:
            user = create_user(session, email, name, password, role=role)
            if organisation:
                set_organisation(session, user, organisation)
            summary = f"Created {user.email} ({user.role})" + (f", member of {organisation}" if organisation else "")
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(summary + ".")


@click.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
@with_database
def set_role_command(email: str, role: str) -> None:
    """Give the account with EMAIL the role ROLE."""
    try:
        with transaction(resources().sessions) as session:
            user = get_user_by_email(session, email)
            before = user.role
            set_role(session, user, role)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{user.email}: {before} -> {role}.")


@click.command("set-organisation")
@click.argument("email")
@click.argument("name", required=False, default="")
@with_database
def set_organisation_command(email: str, name: str) -> None:
    """Confirm the account with EMAIL as a member of organisation NAME (no NAME: of none)."""
    res = resources()
    try:
        with transaction(res.sessions) as session:
            user = get_user_by_email(session, email)
            # The depositor's restricted items carry the organisation's token in the index.
            stale = set_organisation(session, user, name or None)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{user.email}: organisation {name or '(none)'}; {len(stale)} item(s) to re-index.")


@click.command("lift-embargoes")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Treat this date as today (default: the real date).")
@with_database
def lift_embargoes_command(today) -> None:
    """Open items whose embargo has ended (the indexer service also does this by itself)."""
    res = resources()
    day = today.date() if today else date.today()
    with transaction(res.sessions) as session:
        lifted = lift_due_embargoes(session, day)
    click.echo(f"{len(lifted)} embargo(es) lifted" + (f": item(s) {', '.join(map(str, lifted))}." if lifted else "."))
