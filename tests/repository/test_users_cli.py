"""The account commands: create-user, set-role, set-organisation, lift-embargoes."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from werkzeug.security import check_password_hash

from repository.db import transaction
from repository.models import Item, User
from repository.services.items import ItemData, create_item

from .people import make_user


def _user(res, email: str) -> User:
    with res.sessions() as session:
        return session.scalar(select(User).where(User.email == email))


def test_create_user_reads_the_password_from_stdin(runner, res):
    result = runner.invoke(args=["create-user", "Ed@Example.org", "--role", "editor", "--name", "Ed Itor"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "Created ed@example.org (editor)" in result.output
    user = _user(res, "ed@example.org")
    assert user.role == "editor" and user.name == "Ed Itor"
    assert user.password_hash.startswith("scrypt:")
    assert check_password_hash(user.password_hash, "a long enough password")


def test_create_user_refuses_a_short_password_and_a_taken_address(runner, res):
    short = runner.invoke(args=["create-user", "a@example.org"], input="short\n")
    assert short.exit_code == 1 and "at least 10 characters" in short.output
    assert _user(res, "a@example.org") is None
    make_user(res, "b@example.org")
    taken = runner.invoke(args=["create-user", "B@example.org"], input="another long password\n")
    assert taken.exit_code == 1 and "already exists" in taken.output


def test_create_user_rejects_an_unknown_role(runner):
    result = runner.invoke(args=["create-user", "c@example.org", "--role", "wizard"], input="x" * 12 + "\n")
    assert result.exit_code == 2 and "wizard" in result.output


def test_set_role_changes_the_role_and_reports_unknown_accounts(runner, res):
    make_user(res, "d@example.org")
    result = runner.invoke(args=["set-role", "d@example.org", "depositor"])
    assert result.exit_code == 0 and "reader -> depositor" in result.output
    assert _user(res, "d@example.org").role == "depositor"
    missing = runner.invoke(args=["set-role", "nobody@example.org", "editor"])
    assert missing.exit_code == 1 and "No account has the email address nobody@example.org" in missing.output


def test_set_organisation_confirms_membership(runner, res):
    make_user(res, "e@example.org", organisation=None)
    result = runner.invoke(args=["set-organisation", "e@example.org", "Leeds City Council"])
    assert result.exit_code == 0, result.output
    user = _user(res, "e@example.org")
    assert user.organisation_id is not None
    cleared = runner.invoke(args=["set-organisation", "e@example.org"])
    assert cleared.exit_code == 0 and _user(res, "e@example.org").organisation_id is None


def test_lift_embargoes_command_opens_items_whose_date_has_come(runner, res):
    with transaction(res.sessions) as session:
        item = create_item(session, ItemData(title="Embargoed report", access="embargoed",
                                             embargo_until=date(2030, 1, 1)))
        item_id = item.id
    early = runner.invoke(args=["lift-embargoes", "--today", "2029-12-31"])
    assert early.exit_code == 0 and "0 embargo(es) lifted" in early.output
    on_the_day = runner.invoke(args=["lift-embargoes", "--today", "2030-01-01"])
    assert on_the_day.exit_code == 0 and f"item(s) {item_id}" in on_the_day.output
    with res.sessions() as session:
        assert session.get(Item, item_id).access == "open"
