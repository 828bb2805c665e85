"""Saved searches and alert digests, mailed through a real SMTP server on loopback."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from repository.db import transaction
from repository.models import SavedSearch, User
from repository.models.base import utcnow
from tests.conftest import apply_changes
from tests.mailbox import body_of, smtp_server

from .people import make_user, sign_in

SEARCH = "theme=domestic-abuse&place=blackpool"


def _save(client, query: str = SEARCH, frequency: str = "daily", name: str = "Abuse in Blackpool"):
    return client.post(f"/alerts/new?{query}", data={"name": name, "frequency": frequency})


def _make_due(res, days: int = 2) -> None:
    with transaction(res.sessions) as session:
        for saved in session.scalars(select(SavedSearch)):
            saved.last_checked_at = utcnow() - timedelta(days=days)


def _titles(message) -> list[str]:
    return re.findall(r"^\d+\. (.+)$", body_of(message), flags=re.M)


@pytest.fixture
def people(res):
    make_user(res, "reader@example.org", "reader")
    make_user(res, "member@example.org", "reader", organisation="Blackpool Council")
    make_user(res, "owner@example.org", "depositor", organisation="Blackpool Council")


def _restricted_item(app, make_item) -> int:
    """A restricted item deposited by a Blackpool Council member (so their colleagues may see it)."""
    from repository.context import resources
    from repository.services.accounts import get_user_by_email
    from repository.services.items import AuthorData, ItemData, create_item

    with app.app_context(), transaction(resources().sessions) as session:
        item = create_item(session, ItemData(title="Refuge places in Blackpool", authors=[AuthorData("Owner")],
                                             year=2024, access="restricted", themes=["domestic-abuse"],
                                             places=["Blackpool"]),
                           depositor=get_user_by_email(session, "owner@example.org"))
        item_id = item.id
    apply_changes(app.extensions["repository"])
    return item_id


def test_a_new_item_reaches_the_digest_of_each_subscriber_who_may_see_it(app, res, runner, make_item, people):
    already = make_item(title="MARAC in Blackpool", year=2014, themes=["domestic-abuse"], places=["Blackpool"])
    make_item(title="Leeds front door", year=2016, themes=["domestic-abuse"], places=["Leeds"])
    clients = {}
    for email in ("reader@example.org", "member@example.org"):
        clients[email] = app.test_client()
        sign_in(clients[email], email)
        saved = _save(clients[email])
        assert saved.status_code == 302 and saved.headers["Location"].endswith("/account/")
    account = clients["reader@example.org"].get("/account/").get_data(as_text=True)
    assert "Abuse in Blackpool" in account and "Daily" in account

    fresh = make_item(title="Health visitors in Blackpool", year=2013, themes=["domestic-abuse"], places=["Blackpool"])
    hidden = _restricted_item(app, make_item)
    make_item(title="Families in Blackpool", themes=["families"], places=["Blackpool"])  # another theme
    _make_due(res)
    with smtp_server(app) as mailbox:
        result = runner.invoke(args=["send-alerts"])
        assert result.exit_code == 0, result.output
        assert "2 sent" in result.output
        mailbox.wait_for(2)
        reader, member = mailbox.to("reader@example.org"), mailbox.to("member@example.org")
    assert len(reader) == 1 and len(member) == 1
    # An old paper deposited late is new to the search; the item that matched when saving is not.
    assert _titles(reader[0]) == ["Health visitors in Blackpool"]
    assert _titles(member[0]) == ["Refuge places in Blackpool", "Health visitors in Blackpool"]
    assert "Refuge places" not in reader[0].as_string() and "MARAC" not in body_of(member[0])
    assert f"/items/{fresh}" in body_of(reader[0]) and f"/items/{hidden}" in body_of(member[0])
    assert reader[0]["Subject"] == "1 new item for your saved search ‘Abuse in Blackpool’"
    assert reader[0]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Matched at saving, so never mailed.
    assert all(f"/items/{already}" not in body_of(message) for message in reader + member)

    # The next run finds nothing due; once due again, nothing new: no mail either way.
    with smtp_server(app) as mailbox:
        assert "0 sent" in runner.invoke(args=["send-alerts"]).output
        _make_due(res)
        assert "2 nothing new" in runner.invoke(args=["send-alerts"]).output
        assert mailbox.messages == []


def test_visibility_is_checked_when_the_mail_is_sent(app, res, runner, make_item, people):
    client = app.test_client()
    sign_in(client, "member@example.org")
    _save(client)
    _restricted_item(app, make_item)
    # The member leaves the organisation before the digest goes out.
    from repository.services.accounts import get_user_by_email, set_organisation

    with transaction(res.sessions) as session:
        set_organisation(session, get_user_by_email(session, "member@example.org"), None)
    apply_changes(res)
    _make_due(res)
    with smtp_server(app) as mailbox:
        assert "1 nothing new" in runner.invoke(args=["send-alerts"]).output
        assert mailbox.messages == []


def test_unsubscribe_by_the_signed_link_in_the_mail(app, res, runner, make_item, people):
    client = app.test_client()
    sign_in(client, "reader@example.org")
    _save(client, frequency="weekly")
    make_item(title="Health visitors in Blackpool", themes=["domestic-abuse"], places=["Blackpool"])
    _make_due(res, days=8)
    with smtp_server(app) as mailbox:
        runner.invoke(args=["send-alerts"])
        [message] = mailbox.wait_for(1)
    link = re.search(r"Stop these emails: (\S+)", body_of(message)).group(1)
    path = link.split("localhost", 1)[1] if "localhost" in link else "/" + link.split("/", 3)[3]
    visitor = app.test_client()  # the link works without signing in
    page = visitor.get(path)
    assert page.status_code == 200 and "Stop the emails for ‘Abuse in Blackpool’" in page.get_data(as_text=True)
    assert visitor.post(path).status_code == 200
    with res.sessions() as session:
        assert session.scalars(select(SavedSearch)).all() == []
    assert visitor.get(path).status_code == 404  # used up: the search is gone
    assert visitor.get(path[:-3] + "abc").status_code == 404  # tampered


def test_one_click_unsubscribe_and_expired_links(app, res, people):
    from repository.services import alerts

    client = app.test_client()
    sign_in(client, "reader@example.org")
    _save(client)
    _save(client, query="q=consent", name="Consent")
    with res.sessions() as session:
        first, second = session.scalars(select(SavedSearch).order_by(SavedSearch.id)).all()
        token = alerts.unsubscribe_token("test", first)
        other = alerts.unsubscribe_token("test", second)
    assert app.test_client().post(f"/alerts/unsubscribe/{token}/one-click",
                                  data={"List-Unsubscribe": "One-Click"}).status_code == 200
    app.config["ALERT_LINK_DAYS"] = 0
    import time

    time.sleep(1.1)
    expired = app.test_client().get(f"/alerts/unsubscribe/{other}")
    assert expired.status_code == 404 and "expired" in expired.get_data(as_text=True)


def test_saved_searches_are_listed_and_removed_only_by_their_owner(app, res, people):
    owner, other = app.test_client(), app.test_client()
    sign_in(owner, "reader@example.org")
    sign_in(other, "member@example.org")
    _save(owner)
    with res.sessions() as session:
        saved_id = session.scalar(select(SavedSearch.id))
    assert other.post(f"/alerts/{saved_id}/remove").status_code == 404
    assert other.post("/alerts/9223372036854775808/remove").status_code == 404
    assert owner.post(f"/alerts/{saved_id}/remove").status_code == 302
    assert "no saved searches" in owner.get("/account/").get_data(as_text=True)


def test_saving_needs_a_sign_in_good_parameters_and_a_name(app, client, make_item, people):
    make_item(title="MARAC in Blackpool", themes=["domestic-abuse"], places=["Blackpool"])
    assert client.get(f"/alerts/new?{SEARCH}").status_code == 302  # to the sign-in page
    sign_in(client, "reader@example.org")
    page = client.get(f"/alerts/new?{SEARCH}").get_data(as_text=True)
    assert 'value="theme Domestic abuse, place Blackpool"' in page
    assert client.get("/alerts/new?page=0").status_code == 400
    refused = _save(client, name="  ", frequency="hourly")
    assert refused.status_code == 400 and "Enter a name for this search" in refused.get_data(as_text=True)


def test_unconfirmed_addresses_get_no_mail_and_a_failed_send_stays_due(app, res, runner, make_item, people):
    client = app.test_client()
    sign_in(client, "reader@example.org")
    _save(client)
    make_item(title="Health visitors in Blackpool", themes=["domestic-abuse"], places=["Blackpool"])
    _make_due(res)
    with transaction(res.sessions) as session:
        session.scalar(select(User).where(User.email == "reader@example.org")).email_confirmed_at = None
    with smtp_server(app) as mailbox:
        assert "1 not ready" in runner.invoke(args=["send-alerts"]).output
        assert mailbox.messages == []
    with transaction(res.sessions) as session:
        session.scalar(select(User).where(User.email == "reader@example.org")).email_confirmed_at = utcnow()
    from tests.serving import free_port

    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False)  # nothing listens
    failed = runner.invoke(args=["send-alerts"])
    assert failed.exit_code == 1 and "1 failed" in failed.output
    with smtp_server(app) as mailbox:
        assert "1 sent" in runner.invoke(args=["send-alerts"]).output
        assert _titles(mailbox.wait_for(1)[0]) == ["Health visitors in Blackpool"]
