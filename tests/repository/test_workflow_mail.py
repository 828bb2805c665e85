"""Review that talks to people: every mail of the review workflow, caught by a real SMTP server on loopback."""

from __future__ import annotations

import logging

from repository.models import Item
from tests.mailbox import body_of, smtp_server
from tests.serving import free_port

from .people import deposit_file, make_user, pdf_bytes, sign_in
from .test_moderation import _description, _sign_out

TEXT = ("How a council and the police share information about families at risk. "
        "The word brindlewick marks this test paper.")


def _people(res):
    make_user(res, "dep@example.org", "depositor", name="Dee Positor")
    make_user(res, "ed@example.org", "editor", name="Edna Editor")
    make_user(res, "admin@example.org", "admin", name="Ada Admin")
    make_user(res, "reader@example.org", "reader", name="Rita Reader")
    make_user(res, "named@example.org", "reader", name="Nell Named")


def _submit(client, tmp_path, *, access: str = "open", readers: str = "") -> int:
    sign_in(client, "dep@example.org")
    edit_url = deposit_file(client, pdf_bytes(tmp_path, [TEXT], "mail.pdf", title="Families at risk"),
                            "mail.pdf").headers["Location"]
    form = _description(client.get(edit_url).get_data(as_text=True))
    form.update(authors="Dee Positor", access=access, readers=readers, submit_for_review="y")
    assert client.post(edit_url, data=form).status_code == 302
    _sign_out(client)
    return int(edit_url.split("/")[-2])


def _bodies(mailbox, address):
    return [(m["Subject"], body_of(m)) for m in mailbox.to(address)]


def test_submission_return_publication_and_withdrawal_each_tell_the_right_people(app, client, res, tmp_path):
    _people(res)
    with smtp_server(app) as mailbox:
        item_id = _submit(client, tmp_path)
        # Both editors hear of the submission, with a link to the review page; nobody else does.
        mailbox.wait_for(2)
        assert sorted(m["To"] for m in mailbox.messages) == ["admin@example.org", "ed@example.org"]
        [(subject, body)] = _bodies(mailbox, "ed@example.org")
        assert subject == "Submitted for review: ‘Families at risk’"
        assert "Dee Positor has submitted" in body and f"http://localhost/moderation/items/{item_id}" in body

        sign_in(client, "ed@example.org")
        client.post(f"/moderation/items/{item_id}/return", data={"message": "Please add a summary."})
        mailbox.wait_for(3)
        [(subject, body)] = _bodies(mailbox, "dep@example.org")
        assert subject == "Returned to you: ‘Families at risk’"
        assert "Please add a summary." in body and f"http://localhost/deposit/{item_id}/edit" in body
        _sign_out(client)

        sign_in(client, "dep@example.org")
        form = _description(client.get(f"/deposit/{item_id}/edit").get_data(as_text=True))
        form.update(authors="Dee Positor", summary="Sharing early helped.", submit_for_review="y")
        client.post(f"/deposit/{item_id}/edit", data=form)
        _sign_out(client)
        mailbox.wait_for(5)

        sign_in(client, "ed@example.org")
        client.post(f"/moderation/items/{item_id}/publish")
        mailbox.wait_for(6)
        subject, body = _bodies(mailbox, "dep@example.org")[-1]
        assert subject == "Published: ‘Families at risk’" and f"http://localhost/items/{item_id}" in body

        client.post(f"/moderation/items/{item_id}/withdraw", data={"reason": "The figures were wrong."})
        mailbox.wait_for(7)
        subject, body = _bodies(mailbox, "dep@example.org")[-1]
        assert subject == "Withdrawn: ‘Families at risk’" and "The figures were wrong." in body
    assert len(mailbox.messages) == 7
    assert not mailbox.to("reader@example.org") and not mailbox.to("named@example.org")


def test_a_restricted_items_reader_mail_goes_only_to_the_named_reader(app, client, res, tmp_path):
    _people(res)
    with smtp_server(app) as mailbox:
        item_id = _submit(client, tmp_path, access="restricted", readers="named@example.org")
        mailbox.wait_for(2)
        assert not mailbox.to("named@example.org")  # a draft or a submission is not open to its readers
        sign_in(client, "ed@example.org")
        client.post(f"/moderation/items/{item_id}/publish")
        mailbox.wait_for(4)
    told = [m["To"] for m in mailbox.messages[2:]]
    assert sorted(told) == ["dep@example.org", "named@example.org"]
    [(subject, body)] = _bodies(mailbox, "named@example.org")
    assert subject == "You can now read ‘Families at risk’" and f"http://localhost/items/{item_id}" in body
    assert not mailbox.to("reader@example.org")
    # The named reader can indeed open the page the mail links to; another reader cannot.
    _sign_out(client)
    sign_in(client, "named@example.org")
    assert client.get(f"/items/{item_id}").status_code == 200
    _sign_out(client)
    sign_in(client, "reader@example.org")
    assert client.get(f"/items/{item_id}").status_code == 404


def test_an_editor_naming_a_new_reader_of_a_published_item_tells_only_that_reader(app, client, res, tmp_path):
    _people(res)
    make_user(res, "second@example.org", "reader", name="Sam Second")
    item_id = _submit(client, tmp_path, access="restricted", readers="named@example.org")
    sign_in(client, "ed@example.org")
    client.post(f"/moderation/items/{item_id}/publish")
    with smtp_server(app) as mailbox:
        form = _description(client.get(f"/moderation/items/{item_id}").get_data(as_text=True))
        form.update(authors="Dee Positor", access="restricted", readers="named@example.org\nsecond@example.org")
        assert client.post(f"/moderation/items/{item_id}/edit", data=form).status_code == 302
        mailbox.wait_for(1)
    assert [m["To"] for m in mailbox.messages] == ["second@example.org"]


def test_a_mail_server_that_is_down_never_fails_the_action(app, client, res, tmp_path, caplog):
    _people(res)
    item_id = _submit(client, tmp_path)
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_USE_TLS=False, MAIL_TIMEOUT=2)
    sign_in(client, "ed@example.org")
    with caplog.at_level(logging.ERROR, logger="repository.mail"):
        response = client.post(f"/moderation/items/{item_id}/publish")
    assert response.status_code == 302
    assert res.sessions().get(Item, item_id).status == "published"
    assert "could not send 'Published: ‘Families at risk’'" in caplog.text


def test_without_a_mail_server_each_notice_goes_to_the_log(app, client, res, tmp_path, caplog):
    _people(res)
    with caplog.at_level(logging.WARNING, logger="repository.mail"):
        item_id = _submit(client, tmp_path)
    assert "Subject: Submitted for review: ‘Families at risk’" in caplog.text
    assert f"/moderation/items/{item_id}" in caplog.text


def test_a_reader_named_before_they_had_an_account_is_told_once_they_confirm_it(app, client, res, tmp_path):
    from .people import register

    _people(res)
    published = _submit(client, tmp_path, access="restricted", readers="later@example.org")
    sign_in(client, "ed@example.org")
    client.post(f"/moderation/items/{published}/publish")
    _sign_out(client)
    with smtp_server(app) as mailbox:
        register(client, {"name": "Lee Later", "email": "later@example.org", "organisation": "",
                          "password": "a long pass phrase"})
        mailbox.wait_for(2)
    told = [m for m in mailbox.to("later@example.org") if m["Subject"].startswith("You can now read")]
    assert [m["Subject"] for m in told] == ["You can now read ‘Families at risk’"]
    assert f"http://localhost/items/{published}" in body_of(told[0])
    assert client.get(f"/items/{published}").status_code == 200
