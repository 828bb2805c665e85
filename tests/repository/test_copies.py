"""Request a copy: request, decision from the emailed link, single-use download, audit log; mail through real SMTP."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from repository.context import resources
from repository.db import transaction
from repository.models import AuditEntry, CopyRequest
from repository.models.base import utcnow
from repository.services.accounts import get_user_by_email
from repository.services.items import AuthorData, ItemData, attach_file, create_item
from tests.conftest import apply_changes
from tests.mailbox import body_of, smtp_server

from .conftest import write_pdf
from .people import make_user

REQUEST = {"name": "Pat Practitioner", "email": "pat@council.example", "reason": "For our MARAC training day."}


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _link(message, label: str) -> str:
    return _path(re.search(rf"{label}[^\n]*\n(\S+)", body_of(message)).group(1))


@pytest.fixture
def embargoed(app, res, tmp_path):
    """An embargoed item with a file, deposited by owner@example.org."""
    make_user(res, "owner@example.org", "depositor")
    make_user(res, "editor@example.org", "editor")
    pdf = write_pdf(tmp_path / "embargoed.pdf", ["The embargoed findings on refuge referrals."])
    from indexer.extraction.extract import extract_file

    with app.app_context(), transaction(resources().sessions) as session:
        item = create_item(session, ItemData(title="Refuge referrals study", authors=[AuthorData("Owner")],
                                             access="embargoed", embargo_until=date(2099, 1, 1)),
                           depositor=get_user_by_email(session, "owner@example.org"))
        attach_file(session, item, extract_file(pdf), res.files, original_name=pdf.name)
        item_id = item.id
    apply_changes(res)
    return item_id


def _actions(res, item_id: int) -> list[str]:
    with res.sessions() as session:
        return [e.action for e in session.scalars(select(AuditEntry).where(AuditEntry.item_id == item_id)
                                                  .order_by(AuditEntry.id))]


def test_request_approve_and_download_once(app, res, embargoed):
    visitor = app.test_client()
    page = visitor.get(f"/items/{embargoed}").get_data(as_text=True)
    assert f'href="/items/{embargoed}/request-copy"' in page
    assert visitor.get(f"/items/{embargoed}/file.pdf").status_code == 404
    with smtp_server(app) as mailbox:
        sent = visitor.post(f"/items/{embargoed}/request-copy", data=REQUEST)
        assert sent.status_code == 200 and "Request sent" in sent.get_data(as_text=True)
        [ask] = mailbox.wait_for(1)
        assert ask["To"] == "owner@example.org" and "For our MARAC training day." in body_of(ask)
        decision = _link(ask, "To approve or refuse")
        owner = app.test_client()  # the emailed link is enough: no sign-in
        shown = owner.get(decision).get_data(as_text=True)
        assert "Pat Practitioner" in shown and "pat@council.example" in shown
        assert owner.post(decision, data={"decision": "approve"}).status_code == 200
        mailbox.wait_for(2)
        [copy_mail] = mailbox.to("pat@council.example")
    download = _link(copy_mail, "It works once")
    first = visitor.get(download)
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    assert 'filename=refuge-referrals-study.pdf' in first.headers["Content-Disposition"]
    again = visitor.get(download)
    assert again.status_code == 404 and "already been used" in again.get_data(as_text=True)
    assert owner.post(decision, data={"decision": "refuse"}).status_code == 400  # already answered
    assert _actions(res, embargoed)[-3:] == ["copy_requested", "copy_approved", "copy_sent"]
    with res.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.item_id == embargoed)).all()
        assert all("pat@council.example" not in e.message for e in entries)  # the address stays in the request


def test_a_refusal_is_mailed_without_a_link(app, res, embargoed):
    with smtp_server(app) as mailbox:
        app.test_client().post(f"/items/{embargoed}/request-copy", data=REQUEST)
        decision = _link(mailbox.wait_for(1)[0], "To approve or refuse")
        answer = app.test_client().post(decision, data={"decision": "refuse"})
        assert answer.status_code == 200 and "not approved" in answer.get_data(as_text=True)
        mailbox.wait_for(2)
        [told] = mailbox.to("pat@council.example")
    assert "was not approved" in body_of(told) and "/copies/" not in body_of(told)
    assert _actions(res, embargoed)[-2:] == ["copy_requested", "copy_refused"]


def test_expired_tampered_and_withdrawn_links_do_not_work(app, res, embargoed):
    with smtp_server(app) as mailbox:
        app.test_client().post(f"/items/{embargoed}/request-copy", data=REQUEST)
        decision = _link(mailbox.wait_for(1)[0], "To approve or refuse")
        app.test_client().post(decision, data={"decision": "approve"})
        mailbox.wait_for(2)
        download = _link(mailbox.to("pat@council.example")[0], "It works once")
    client = app.test_client()
    assert client.get(download[:-4] + "AAAA").status_code == 404
    assert client.get(decision[:-4] + "AAAA").status_code == 404
    assert client.get("/copies/not-a-token").status_code == 404
    with transaction(res.sessions) as session:
        session.scalar(select(CopyRequest)).link_expires_at = utcnow() - timedelta(minutes=1)
    expired = client.get(download)
    assert expired.status_code == 404 and "expired" in expired.get_data(as_text=True)


def test_only_those_who_see_the_record_but_not_the_file_may_ask(app, res, make_item, embargoed):
    open_item = make_item(title="Open findings", pages=["Open text."])
    hidden = make_item(title="Refuge addresses zorbulent", access="restricted", pages=["Closed text."])
    client = app.test_client()
    assert client.get(f"/items/{open_item}/request-copy").status_code == 404  # it can be downloaded
    missing = client.get(f"/items/{hidden}/request-copy")
    assert missing.status_code == 404 and "zorbulent" not in missing.get_data(as_text=True)
    assert client.get("/items/9223372036854775808/request-copy").status_code == 404
    owner = app.test_client()
    owner.post("/account/sign-in", data={"email": "owner@example.org", "password": "correct horse battery"})
    assert owner.get(f"/items/{embargoed}/request-copy").status_code == 404  # the depositor has the file


def test_hostile_or_repeated_requests_get_clear_answers(app, res, embargoed):
    client = app.test_client()
    bad = client.post(f"/items/{embargoed}/request-copy", data={"name": "", "email": "nope", "reason": "x" * 3000})
    page = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "Enter your full name" in page and "correct format" in page
    assert "2,000 characters or fewer" in page
    assert client.post(f"/items/{embargoed}/request-copy", data=REQUEST).status_code == 200
    again = client.post(f"/items/{embargoed}/request-copy", data={**REQUEST, "email": "PAT@council.example"})
    assert again.status_code == 400 and "already asked" in again.get_data(as_text=True)
    app.config["COPY_REQUESTS_PER_DAY"] = 2
    client.post(f"/items/{embargoed}/request-copy", data={**REQUEST, "email": "second@example.org"})
    capped = client.post(f"/items/{embargoed}/request-copy", data={**REQUEST, "email": "third@example.org"})
    assert capped.status_code == 400 and "too many requests today" in capped.get_data(as_text=True)


def test_without_a_depositor_the_editors_are_asked(app, res, tmp_path):
    make_user(res, "editor@example.org", "editor")
    pdf = write_pdf(tmp_path / "ingested.pdf", ["Bulk ingested text."])
    from indexer.extraction.extract import extract_file

    with app.app_context(), transaction(resources().sessions) as session:
        item = create_item(session, ItemData(title="Ingested under embargo", access="embargoed",
                                             embargo_until=date(2099, 1, 1)))
        attach_file(session, item, extract_file(pdf), res.files, original_name=pdf.name)
        item_id = item.id
    apply_changes(res)
    with smtp_server(app) as mailbox:
        app.test_client().post(f"/items/{item_id}/request-copy", data=REQUEST)
        assert [m["To"] for m in mailbox.wait_for(1)] == ["editor@example.org"]
