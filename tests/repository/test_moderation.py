"""Moderation through the web: the whole journey of a deposit, withdrawal, the audit log."""

from __future__ import annotations

import re

from sqlalchemy import select

from indexer.search import SearchRequest, search
from repository.models import AuditEntry, Item
from repository.services.changes import record_change
from tests.conftest import apply_changes

from .people import PASSWORD, deposit_file, make_user, pdf_bytes, register, sign_in

TEXT = ("How a council, the police and health visitors share information about families at risk. "
        "The multi-agency safeguarding hub met daily; the word quillwort marks this test paper.")


def _sign_out(client):
    client.post("/account/sign-out")


def _item(res, item_id: int) -> Item:
    return res.sessions().get(Item, item_id)


def _description(page: str) -> dict:
    """Read the description form's current values back from the edit page."""
    title = re.search(r'id="title" name="title" type="text" value="([^"]*)"', page).group(1)
    authors = re.search(r'<textarea class="govuk-textarea" id="authors"[^>]*>\s*([^<]*)</textarea>', page).group(1)
    themes = re.findall(r'name="themes" type="checkbox" value="([^"]+)" checked', page)
    return {"type": "paper", "title": title, "authors": authors.strip(), "abstract": "", "summary": "",
            "year": "", "event": "", "places": "", "licence": "", "access": "open", "embargo_until": "",
            "readers": "", "themes": themes}


def test_a_deposit_from_registration_to_publication(client, res, tmp_path):
    make_user(res, "editor@example.org", "editor", name="Edna Editor")

    # A researcher registers, asking to deposit.
    response = register(client, {
        "name": "Rhea Searcher", "email": "rhea@example.org", "organisation": "University of Leeds",
        "wants_to_deposit": "y", "password": "a long pass phrase"})
    assert response.status_code == 302

    # She uploads a PDF and sees the description suggested from it.
    pdf = pdf_bytes(tmp_path, [TEXT], "hub.pdf", title="Families at risk and the safeguarding hub",
                    author="Rhea Searcher")
    response = deposit_file(client, pdf, "hub.pdf")
    assert response.status_code == 302
    edit_url = response.headers["Location"]
    item_id = int(edit_url.split("/")[-2])
    page = client.get(edit_url).get_data(as_text=True)
    form = _description(page)
    assert form["title"]  # suggested, from the file's metadata or its name
    assert "safeguarding-children" in form["themes"] or form["themes"]

    # She submits it (with an author, which the form asks for).
    form.update(authors="Rhea Searcher", submit_for_review="y")
    assert client.post(edit_url, data=form).status_code == 302
    assert _item(res, item_id).status == "submitted"
    _sign_out(client)

    # The editor sees it in the queue and returns it with a message.
    sign_in(client, "editor@example.org")
    queue = client.get("/moderation/").get_data(as_text=True)
    assert f"/moderation/items/{item_id}" in queue
    review = client.get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert "Audit log" in review and "Submitted for review" in review
    response = client.post(f"/moderation/items/{item_id}/return",
                           data={"message": "Please add a plain-language summary for practitioners."})
    assert response.status_code == 302 and _item(res, item_id).status == "draft"
    _sign_out(client)

    # The depositor sees the message, fixes the draft and submits again.
    sign_in(client, "rhea@example.org", "a long pass phrase")
    mine = client.get("/deposit/").get_data(as_text=True)
    assert "Returned by an editor" in mine and "Please add a plain-language summary" in mine
    page = client.get(edit_url).get_data(as_text=True)
    assert "An editor returned this item with a message" in page
    form = _description(page)
    form.update(summary="Councils, police and health visitors met every day. Sharing early kept children safer.",
                submit_for_review="y")
    assert client.post(edit_url, data=form).status_code == 302
    _sign_out(client)

    # Nothing is findable before publication.
    assert search(res.index, SearchRequest(q="quillwort", principals=["public", "registered", "editors"])).total == 0

    # The editor publishes it, and anyone finds it by a word from its text.
    sign_in(client, "editor@example.org")
    assert client.post(f"/moderation/items/{item_id}/publish").status_code == 302
    assert _item(res, item_id).status == "published"
    _sign_out(client)
    apply_changes(res)  # what the indexer service does within a second
    found = client.get("/search?q=quillwort").get_data(as_text=True)
    assert f"/items/{item_id}" in found
    assert client.get(f"/items/{item_id}").status_code == 200

    with res.sessions() as session:
        actions = session.scalars(select(AuditEntry.action).where(AuditEntry.item_id == item_id)
                                  .order_by(AuditEntry.id)).all()
    assert actions == ["created", "updated", "submitted", "returned", "updated", "submitted", "published"]


def _published_item(client, res, tmp_path, text: str = TEXT) -> int:
    """Deposit, submit and publish an item as dep@example.org / ed@example.org; return its id."""
    sign_in(client, "dep@example.org")
    pdf = pdf_bytes(tmp_path, [text], "paper.pdf", title="A paper to withdraw")
    edit_url = deposit_file(client, pdf, "paper.pdf").headers["Location"]
    form = _description(client.get(edit_url).get_data(as_text=True))
    form.update(authors="Dee Positor", submit_for_review="y")
    client.post(edit_url, data=form)
    _sign_out(client)
    sign_in(client, "ed@example.org")
    item_id = int(edit_url.split("/")[-2])
    assert client.post(f"/moderation/items/{item_id}/publish").status_code == 302
    apply_changes(res)
    return item_id


def test_withdrawing_removes_from_search_and_leaves_a_tombstone(client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor")
    make_user(res, "ed@example.org", "editor")
    item_id = _published_item(client, res, tmp_path)
    assert search(res.index, SearchRequest(q="quillwort")).total == 1
    missing_reason = client.post(f"/moderation/items/{item_id}/withdraw", data={"reason": ""})
    assert missing_reason.status_code == 400 and "Enter the reason" in missing_reason.get_data(as_text=True)
    response = client.post(f"/moderation/items/{item_id}/withdraw",
                           data={"reason": "The authors found an error in the figures."})
    assert response.status_code == 302
    # Until the indexer applies the withdrawal, search leaves the item out for everyone.
    assert search(res.index, SearchRequest(q="quillwort")).total == 1
    assert client.get("/api/v1/search?q=quillwort").get_json()["total"] == 0
    apply_changes(res)
    assert search(res.index, SearchRequest(q="quillwort")).total == 0
    _sign_out(client)
    tombstone = client.get(f"/items/{item_id}")
    page = tombstone.get_data(as_text=True)
    assert tombstone.status_code == 410
    assert "A paper to withdraw" in page and "The authors found an error in the figures." in page
    assert "withdrawn on" in page
    assert client.get(f"/items/{item_id}/file.pdf").status_code == 404


def test_editors_edit_published_metadata_and_the_audit_log_shows_the_diff(client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor")
    make_user(res, "ed@example.org", "editor")
    item_id = _published_item(client, res, tmp_path)
    page = client.get(f"/moderation/items/{item_id}").get_data(as_text=True)
    form = _description(page)
    form.update(title="A corrected title about quillwort", authors="Dee Positor\nBob Person", save="y")
    assert client.post(f"/moderation/items/{item_id}/edit", data=form).status_code == 302
    page = client.get(f"/moderation/items/{item_id}").get_data(as_text=True)
    assert "A paper to withdraw → A corrected title about quillwort" in page
    assert "Dee Positor → Dee Positor, Bob Person" in page
    assert "by ed@example.org" in page
    # The index follows through the change log.
    apply_changes(res)
    hits = search(res.index, SearchRequest(q="corrected")).hits
    assert [hit.id for hit in hits] == [str(item_id)]


def test_only_editors_reach_the_moderation_pages(client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor")
    make_user(res, "ed@example.org", "editor")
    item_id = _published_item(client, res, tmp_path)
    _sign_out(client)
    assert client.get("/moderation/").status_code == 302  # anonymous: asked to sign in
    sign_in(client, "dep@example.org")
    assert client.get("/moderation/").status_code == 403
    assert client.get(f"/moderation/items/{item_id}").status_code == 403
    assert client.post(f"/moderation/items/{item_id}/withdraw", data={"reason": "mine"}).status_code == 403
    assert _item(res, item_id).status == "published"


def test_publishing_twice_or_returning_without_a_message_is_refused(client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor")
    make_user(res, "ed@example.org", "editor")
    item_id = _published_item(client, res, tmp_path)
    again = client.post(f"/moderation/items/{item_id}/publish")
    assert again.status_code == 400 and "only a submission can be published" in again.get_data(as_text=True)
    empty = client.post(f"/moderation/items/{item_id}/return", data={"message": " "})
    assert empty.status_code == 400


def test_an_administrator_confirms_an_organisation_and_restricted_items_follow(client, res, tmp_path):
    from repository.db import transaction
    from repository.services.accounts import get_user_by_email

    make_user(res, "admin@example.org", "admin")
    make_user(res, "ed@example.org", "editor")
    make_user(res, "colleague@example.org", "reader", organisation="Leeds City Council")
    register(client, {
        "name": "Dee Positor", "email": "dep@example.org", "organisation": "Leeds City Council",
        "wants_to_deposit": "y", "password": PASSWORD})
    _sign_out(client)
    item_id = _published_item(client, res, tmp_path)
    with transaction(res.sessions) as session:
        item = session.get(Item, item_id)
        item.access = "restricted"
        record_change(session, [item_id], "edited")
    apply_changes(res)
    _sign_out(client)
    with transaction(res.sessions) as session:  # an address not (or no longer) confirmed, as before registration's link
        get_user_by_email(session, "dep@example.org").email_confirmed_at = None

    def colleague_finds() -> int:
        colleague = client.application.test_client()
        sign_in(colleague, "colleague@example.org")
        return colleague.get("/api/v1/search?q=quillwort").get_json()["total"]

    assert colleague_finds() == 0  # the depositor's organisation is only a claim so far
    sign_in(client, "ed@example.org")
    # Editors confirm organisations (tests/repository/test_curation.py) but do not set roles.
    assert 'name="u' in client.get("/moderation/people").get_data(as_text=True)
    assert '-role"' not in client.get("/moderation/people").get_data(as_text=True)
    _sign_out(client)
    sign_in(client, "admin@example.org")
    page = client.get("/moderation/people").get_data(as_text=True)
    assert "Not confirmed" in page and "dep@example.org" in page
    with res.sessions() as session:
        dep_id = get_user_by_email(session, "dep@example.org").id
    form = {f"u{dep_id}-role": "depositor", f"u{dep_id}-organisation": "Leeds City Council"}
    refused = client.post(f"/moderation/people/{dep_id}", data=form, follow_redirects=True)
    assert "has not confirmed their email address" in refused.get_data(as_text=True)
    assert colleague_finds() == 0
    with transaction(res.sessions) as session:
        from repository.models.base import utcnow
        get_user_by_email(session, "dep@example.org").email_confirmed_at = utcnow()
    response = client.post(f"/moderation/people/{dep_id}", data={
        f"u{dep_id}-role": "depositor", f"u{dep_id}-organisation": "Leeds City Council"}, follow_redirects=True)
    assert "dep@example.org is now depositor, Leeds City Council" in response.get_data(as_text=True)
    assert colleague_finds() == 0  # the item waits for the indexer, hidden from everyone meanwhile
    apply_changes(res)
    assert colleague_finds() == 1
