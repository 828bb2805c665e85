"""Editors (not only administrators) confirm a person's organisation; every change is in the curation log."""

from __future__ import annotations

from repository import create_app
from repository.commands.database import prepare_database
from repository.models import User
from repository.services import curation
from repository.services.accounts import get_user_by_email

from .people import PASSWORD, csrf_token, make_user, sign_in


def _user(res, email: str) -> User:
    with res.sessions() as session:
        user = get_user_by_email(session, email)
        user.organisation  # noqa: B018 - loaded before the session closes
        return user


def _log(res, user_id: int) -> list[tuple[str, str, dict]]:
    with res.sessions() as session:
        return [(e.actor, e.action, e.changes) for e in curation.entries_for(session, "person", user_id)]


def test_an_editor_confirms_and_removes_an_organisation_but_cannot_change_a_role(client, res):
    make_user(res, "ed@example.org", "editor")
    make_user(res, "claimant@example.org", "reader")
    claimant = _user(res, "claimant@example.org")
    sign_in(client, "ed@example.org")
    page = client.get("/moderation/people").get_data(as_text=True)
    assert "claimant@example.org" in page and f'name="u{claimant.id}-organisation"' in page
    assert f'name="u{claimant.id}-role"' not in page
    response = client.post(f"/moderation/people/{claimant.id}", data={
        f"u{claimant.id}-organisation": "Blackpool Council", f"u{claimant.id}-role": "admin"},
        follow_redirects=True)
    assert "claimant@example.org is now reader, Blackpool Council" in response.get_data(as_text=True)
    after = _user(res, "claimant@example.org")
    assert after.organisation.name == "Blackpool Council" and after.role == "reader"
    client.post(f"/moderation/people/{claimant.id}", data={f"u{claimant.id}-organisation": ""})
    assert _user(res, "claimant@example.org").organisation is None
    assert _log(res, claimant.id) == [
        ("ed@example.org", "organisation", {"organisation": [None, "Blackpool Council"]}),
        ("ed@example.org", "organisation", {"organisation": ["Blackpool Council", None]})]


def test_an_administrators_role_change_is_logged_too(client, res):
    make_user(res, "admin@example.org", "admin")
    make_user(res, "someone@example.org", "reader")
    someone = _user(res, "someone@example.org")
    sign_in(client, "admin@example.org")
    client.post(f"/moderation/people/{someone.id}", data={
        f"u{someone.id}-role": "depositor", f"u{someone.id}-organisation": ""})
    assert _user(res, "someone@example.org").role == "depositor"
    assert _log(res, someone.id) == [("admin@example.org", "role", {"role": ["reader", "depositor"]})]


def test_depositors_and_visitors_cannot_confirm_anyone(client, res):
    make_user(res, "dep@example.org", "depositor")
    make_user(res, "claimant@example.org", "reader")
    claimant = _user(res, "claimant@example.org")
    form = {f"u{claimant.id}-organisation": "Blackpool Council"}
    assert client.post(f"/moderation/people/{claimant.id}", data=form).status_code == 302  # sign in first
    sign_in(client, "dep@example.org")
    assert client.get("/moderation/people").status_code == 403
    assert client.post(f"/moderation/people/{claimant.id}", data=form).status_code == 403
    assert _user(res, "claimant@example.org").organisation is None and _log(res, claimant.id) == []


def test_the_membership_form_needs_its_token(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t"}, instance_path=tmp_path / "instance")
    with app.app_context():
        prepare_database()
    res = app.extensions["repository"]
    make_user(res, "ed@example.org", "editor")
    make_user(res, "claimant@example.org", "reader")
    claimant = _user(res, "claimant@example.org")
    client = app.test_client()
    login = client.get("/account/sign-in").get_data(as_text=True)
    client.post("/account/sign-in", data={"email": "ed@example.org", "password": PASSWORD,
                                          "csrf_token": csrf_token(login)})
    form = {f"u{claimant.id}-organisation": "Blackpool Council"}
    client.post(f"/moderation/people/{claimant.id}", data=form)
    assert _user(res, "claimant@example.org").organisation is None
    page = client.get("/moderation/people").get_data(as_text=True)
    client.post(f"/moderation/people/{claimant.id}", data={**form, "csrf_token": csrf_token(page)})
    assert _user(res, "claimant@example.org").organisation.name == "Blackpool Council"
