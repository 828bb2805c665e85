"""A depositor takes back a submission before review, and deleting a draft asks first (without JavaScript)."""

from __future__ import annotations

from sqlalchemy import select

from repository.models import AuditEntry, Item

from .people import deposit_file, make_user, pdf_bytes, sign_in
from .test_moderation import _description, _sign_out

TEXT = "How a council and the police share information about families at risk: the kestrelby test paper."


def _draft(client, tmp_path, name: str = "draft.pdf") -> int:
    edit_url = deposit_file(client, pdf_bytes(tmp_path, [TEXT + name], name, title="Families at risk"),
                            name).headers["Location"]
    return int(edit_url.split("/")[-2])


def _submit(client, item_id: int) -> None:
    form = _description(client.get(f"/deposit/{item_id}/edit").get_data(as_text=True))
    form.update(authors="Dee Positor", submit_for_review="y")
    assert client.post(f"/deposit/{item_id}/edit", data=form).status_code == 302


def _status(res, item_id: int) -> str | None:
    with res.sessions() as session:
        item = session.get(Item, item_id)
        return item.status if item else None


def test_a_depositor_takes_a_submission_back_to_draft_before_review(client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor")
    make_user(res, "ed@example.org", "editor")
    sign_in(client, "dep@example.org")
    item_id = _draft(client, tmp_path)
    _submit(client, item_id)
    mine = client.get("/deposit/").get_data(as_text=True)
    assert f'action="/deposit/{item_id}/take-back"' in mine
    response = client.post(f"/deposit/{item_id}/take-back")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/deposit/{item_id}/edit")
    assert _status(res, item_id) == "draft"
    assert "Your submission is a draft again" in client.get(f"/deposit/{item_id}/edit").get_data(as_text=True)
    with res.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.item_id == item_id)
                                .order_by(AuditEntry.id.desc())).first()
        assert entry.action == "withdrawn_by_depositor" and entry.changes == {"status": ["submitted", "draft"]}
    _sign_out(client)
    sign_in(client, "ed@example.org")
    assert f"/moderation/items/{item_id}" not in client.get("/moderation/").get_data(as_text=True)


def test_only_a_waiting_submission_of_ones_own_can_be_taken_back(client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor")
    make_user(res, "other@example.org", "depositor")
    make_user(res, "ed@example.org", "editor")
    sign_in(client, "dep@example.org")
    item_id = _draft(client, tmp_path)
    refused = client.post(f"/deposit/{item_id}/take-back", follow_redirects=True)  # a draft is not waiting
    assert "Only your own submission can be taken back" in refused.get_data(as_text=True)
    _submit(client, item_id)
    _sign_out(client)
    sign_in(client, "other@example.org")
    assert client.post(f"/deposit/{item_id}/take-back").status_code == 404
    _sign_out(client)
    sign_in(client, "ed@example.org")
    client.post(f"/moderation/items/{item_id}/publish")
    _sign_out(client)
    sign_in(client, "dep@example.org")
    late = client.post(f"/deposit/{item_id}/take-back", follow_redirects=True)
    assert late.status_code == 200 and "Only your own submission can be taken back" in late.get_data(as_text=True)
    assert _status(res, item_id) == "published"


def test_deleting_a_draft_asks_for_confirmation_first(client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor")
    sign_in(client, "dep@example.org")
    item_id = _draft(client, tmp_path)
    edit = client.get(f"/deposit/{item_id}/edit").get_data(as_text=True)
    assert f'href="/deposit/{item_id}/delete"' in edit  # a link to the question, not a button that deletes
    question = client.get(f"/deposit/{item_id}/delete")
    page = question.get_data(as_text=True)
    assert question.status_code == 200 and "Delete the draft ‘Families at risk’?" in page
    assert 'name="confirm" value="yes"' in page and f'href="/deposit/{item_id}/edit"' in page
    # A POST that did not come from the question asks it, and deletes nothing.
    stray = client.post(f"/deposit/{item_id}/delete")
    assert stray.status_code == 400 and "Delete the draft" in stray.get_data(as_text=True)
    assert _status(res, item_id) == "draft"
    done = client.post(f"/deposit/{item_id}/delete", data={"confirm": "yes"}, follow_redirects=True)
    assert "The draft has been deleted" in done.get_data(as_text=True) and _status(res, item_id) is None


def test_a_submission_cannot_be_deleted_from_the_question_page(client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor")
    sign_in(client, "dep@example.org")
    item_id = _draft(client, tmp_path)
    _submit(client, item_id)
    response = client.get(f"/deposit/{item_id}/delete", follow_redirects=True)
    assert "Only a draft that was never published can be deleted" in response.get_data(as_text=True)
    client.post(f"/deposit/{item_id}/delete", data={"confirm": "yes"})
    assert _status(res, item_id) == "submitted"
