"""Issue 12, "close the side doors": what an outsider could learn, guess or break at the edges.

The message oracles (findings 1 and 2) are in test_access_matrix.py, on the matrix's items;
the rest is here, one test (or a few) per finding, through the real app.
"""

from __future__ import annotations

from repository.models import Item
from repository.services.accounts import confirmation_token, find_user_by_email

from .people import PASSWORD, deposit_file, make_user, pdf_bytes, sign_in

TEXT = ("Information sharing between councils and the police about families at risk. "
        "Practitioners discussed consent and the multi-agency safeguarding hub. ") * 4


# --- 2. a named reader without an account yet ----------------------------------------------------

def test_a_named_reader_without_an_account_is_let_in_once_their_address_is_confirmed(app, client, res, tmp_path):
    from tests.conftest import apply_changes

    make_user(res, "dep@example.org", "depositor")
    make_user(res, "ed@example.org", "editor")
    sign_in(client, "dep@example.org")
    edit = deposit_file(client, pdf_bytes(tmp_path, [TEXT + " The gorsewick finding."]), "p.pdf").headers["Location"]
    item_id = int(edit.split("/")[-2])
    form = {"type": "paper", "title": "Gorsewick study", "authors": "Ann Example", "abstract": "", "summary": "",
            "year": "2015", "event": "", "places": "", "licence": "", "access": "restricted", "embargo_until": "",
            "readers": "Later@Example.org", "submit_for_review": "y"}
    assert client.post(edit, data=form).status_code == 302
    client.post("/account/sign-out")
    sign_in(client, "ed@example.org")
    assert client.post(f"/moderation/items/{item_id}/publish").status_code == 302
    client.post("/account/sign-out")
    apply_changes(res)

    # Later registers with the named address: nothing opens until the address is confirmed.
    later = app.test_client()
    later.post("/account/register", data={"name": "Later", "email": "later@example.org",
                                          "password": "a long pass phrase", "confirm": "a long pass phrase"})
    with res.sessions() as session:
        token = confirmation_token(find_user_by_email(session, "later@example.org"), app.config["SECRET_KEY"])
        assert session.get(Item, item_id).grants == []
    assert later.get(f"/account/confirm/{token}").status_code == 302
    assert sign_in(later, "later@example.org", "a long pass phrase").status_code == 302
    assert later.get(f"/items/{item_id}").status_code == 200
    apply_changes(res)
    assert later.get("/api/v1/search?q=gorsewick").get_json()["total"] == 1
    with res.sessions() as session:
        item = session.get(Item, item_id)
        assert [g.user.email for g in item.grants] == ["later@example.org"] and item.invites == []


# --- 5. sign-out ends the session on the server -------------------------------------------------

def test_a_session_cookie_copied_before_sign_out_does_not_work_after_it(app, client, res):
    make_user(res, "ann@example.org")
    assert sign_in(client, "ann@example.org").status_code == 302
    copied = client.get_cookie("session").value
    assert client.post("/account/sign-out").status_code == 302
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/account/").status_code == 302  # sent to sign in: the copied session is over
    # Signing in again works, and a new session is a new token.
    assert sign_in(client, "ann@example.org").status_code == 302
    assert client.get("/account/").status_code == 200


def test_a_password_change_ends_other_sessions_but_keeps_this_one(app, client, res):
    make_user(res, "ann@example.org")
    sign_in(client, "ann@example.org")
    other = app.test_client()
    sign_in(other, "ann@example.org")
    response = client.post("/account/password", data={"current": PASSWORD, "password": "a brand new password",
                                                      "confirm": "a brand new password"})
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200 and other.get("/account/").status_code == 302


# --- 9. one check of an address's form -------------------------------------------------------------

def test_create_user_refuses_an_address_the_sign_in_form_would_refuse(app, runner, res):
    for address in ("ann@localhost", "ann@@example.org", "ann@example", "an n@example.org"):
        result = runner.invoke(args=["create-user", address, "--role", "editor"], input=PASSWORD + "\n")
        assert result.exit_code == 1 and "correct format" in result.output, (address, result.output)
        page = app.test_client().post("/account/sign-in", data={"email": address, "password": PASSWORD})
        assert page.status_code == 400 and "correct format" in page.get_data(as_text=True), address
    with res.sessions() as session:
        assert find_user_by_email(session, "ann@localhost") is None
    good = runner.invoke(args=["create-user", "ann@example.org", "--role", "editor"], input=PASSWORD + "\n")
    assert good.exit_code == 0 and sign_in(app.test_client(), "ann@example.org").status_code == 302


def test_every_demo_items_licence_is_a_choice_of_the_form(demo_app):
    from repository.forms.deposit import ItemForm

    with demo_app.test_request_context():
        choices = {choice.value for choice in ItemForm().licence.choices} - {""}
    with demo_app.extensions["repository"].sessions() as session:
        licences = {item.licence for item in session.query(Item)}
    assert licences and licences <= choices, licences - choices


# --- 7. answers that were 500s ---------------------------------------------------------------------

def test_ids_too_large_for_the_database_are_not_found(client, res):
    make_user(res, "ed@example.org", "editor")
    sign_in(client, "ed@example.org")
    for huge in (2**31, 2**63, 2**64 + 5, 10**30):
        for url in (f"/items/{huge}", f"/items/{huge}/file.pdf", f"/deposit/{huge}/edit",
                    f"/moderation/items/{huge}", f"/api/v1/items/{huge}"):
            assert client.get(url).status_code == 404, url
        assert client.post(f"/moderation/items/{huge}/publish").status_code == 404
    assert client.get(f"/items/{2**31 - 1}").status_code == 404  # the largest id is just not there


def test_a_line_break_in_next_is_ignored(client, res):
    make_user(res, "ann@example.org")
    for target in ("/deposit/\r\nSet-Cookie: x=1", "/\nfoo", "/account/%0d%0a", "/\x00"):
        response = client.post("/account/sign-in", query_string={"next": target},
                               data={"email": "ann@example.org", "password": PASSWORD})
        assert response.status_code == 302, target
        assert "\n" not in response.headers["Location"] and "\r" not in response.headers["Location"]
        client.post("/account/sign-out")


def _read_only_database(res):
    """From now on every new connection refuses writes, as a read-only disk would make it."""
    from sqlalchemy import event

    res.engine.dispose()

    @event.listens_for(res.engine, "connect")
    def _refuse_writes(connection, _record):
        cursor = connection.cursor()
        if res.engine.dialect.name == "sqlite":
            cursor.execute("PRAGMA query_only = ON")
        else:
            cursor.execute("SET default_transaction_read_only = on")
            connection.commit()
        cursor.close()

    return lambda: (event.remove(res.engine, "connect", _refuse_writes), res.engine.dispose())


def test_a_read_only_database_gives_a_clear_503_on_sign_in_registration_and_publish(app, client, res, tmp_path,
                                                                                     caplog):
    make_user(res, "ann@example.org")
    make_user(res, "ed@example.org", "editor")
    make_user(res, "dep@example.org", "depositor")
    sign_in(client, "dep@example.org")
    edit = deposit_file(client, pdf_bytes(tmp_path, [TEXT]), "p.pdf").headers["Location"]
    item_id = int(edit.split("/")[-2])
    client.post(edit, data={"type": "paper", "title": "Read-only", "authors": "Ann Example", "abstract": "",
                            "summary": "", "year": "2015", "event": "", "places": "", "licence": "",
                            "access": "open", "embargo_until": "", "readers": "", "submit_for_review": "y"})
    client.post("/account/sign-out")
    editor = app.test_client()
    sign_in(editor, "ed@example.org")
    restore = _read_only_database(res)
    try:
        with caplog.at_level("ERROR"):
            answers = {
                "sign-in": app.test_client().post("/account/sign-in", data={"email": "ann@example.org",
                                                                            "password": PASSWORD}),
                "registration": app.test_client().post("/account/register", data={
                    "name": "New", "email": "new@example.org", "password": "a long pass phrase",
                    "confirm": "a long pass phrase"}),
                "publish": editor.post(f"/moderation/items/{item_id}/publish"),
            }
        for what, response in answers.items():
            assert response.status_code == 503, what
            assert "cannot save anything just now" in response.get_data(as_text=True), what
        assert caplog.text.count("cannot save on POST") == 3
    finally:
        restore()
    assert editor.post(f"/moderation/items/{item_id}/publish").status_code == 302  # healed by itself


def test_reindex_on_a_read_only_index_says_so_without_a_traceback(runner, monkeypatch):
    import errno

    from whoosh.filedb.filestore import FileStorage

    def read_only(self, name, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system", f"{self.folder}/{name}")

    monkeypatch.setattr(FileStorage, "create_file", read_only)
    result = runner.invoke(args=["reindex", "--procs", "1"])
    assert result.exit_code == 1
    assert "Cannot write the search index" in result.output and "Read-only file system" in result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, OSError)


# --- 6. sign-in throttling -------------------------------------------------------------------------

def _try(client, email: str, password: str, address: str):
    return client.post("/account/sign-in", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_simultaneous_guesses_never_exceed_the_limit(app, res):
    import threading

    make_user(res, "ann@example.org")
    app.config.update(SIGNIN_MAX_FAILURES_PAIR=5)
    start = threading.Barrier(12)
    statuses: list[int] = []

    def guess(n: int) -> None:
        client = app.test_client()
        start.wait()
        statuses.append(_try(client, "ann@example.org", f"wrong guess {n}", "198.51.100.20").status_code)

    threads = [threading.Thread(target=guess, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Every guess that was checked is a 400; the rest were paused (429) before any check.
    assert sorted(statuses) == [400] * 5 + [429] * 7, statuses


def test_a_strangers_wrong_tries_do_not_lock_the_owner_out(app, res):
    make_user(res, "ann@example.org")
    attacker, owner = app.test_client(), app.test_client()
    for n in range(5):
        assert _try(attacker, "ann@example.org", f"guess {n}", "198.51.100.30").status_code == 400
    assert _try(attacker, "ann@example.org", PASSWORD, "198.51.100.30").status_code == 429
    # The owner, from their own address, is not paused by someone else's guesses.
    assert _try(owner, "ann@example.org", PASSWORD, "203.0.113.40").status_code == 302


def test_guesses_from_many_addresses_meet_the_accounts_ceiling(app, res):
    make_user(res, "ann@example.org")
    app.config.update(SIGNIN_MAX_FAILURES_PAIR=5, SIGNIN_MAX_FAILURES_ACCOUNT=8)
    client = app.test_client()
    for n in range(8):
        assert _try(client, "ann@example.org", "guess", f"198.51.100.{n + 50}").status_code == 400
    paused = _try(client, "ann@example.org", PASSWORD, "203.0.113.41")
    assert paused.status_code == 429 and "to this account" in paused.get_data(as_text=True)


def test_a_completed_password_reset_lifts_the_accounts_pause(app, res, caplog):
    import re

    make_user(res, "ann@example.org")
    app.config.update(SIGNIN_MAX_FAILURES_PAIR=3, SIGNIN_MAX_FAILURES_ACCOUNT=3)
    client = app.test_client()
    for n in range(3):
        _try(client, "ann@example.org", "guess", f"198.51.100.{n + 70}")
    assert _try(client, "ann@example.org", PASSWORD, "198.51.100.70").status_code == 429
    with caplog.at_level("WARNING", logger="repository.mail"):
        client.post("/account/reset", data={"email": "ann@example.org"})
        res.jobs.run_pending()
    [link] = re.findall(r"http://localhost(/account/reset/\S+)", caplog.text)
    assert client.post(link, data={"password": "a new long password", "confirm": "a new long password"}
                       ).status_code == 302
    assert _try(client, "ann@example.org", "a new long password", "198.51.100.70").status_code == 302


def test_a_proxy_without_proxy_count_is_warned_about_once(tmp_path, caplog):
    from repository import create_app
    from repository.commands.database import prepare_database

    for proxies, warnings in ((0, 1), (1, 0)):
        app = create_app({"TESTING": True, "SECRET_KEY": "t", "PROXY_COUNT": proxies},
                         instance_path=tmp_path / f"proxies-{proxies}")
        with app.app_context():
            prepare_database()
        caplog.clear()
        with caplog.at_level("WARNING"):
            client = app.test_client()
            client.get("/")  # no proxy in sight: nothing to say
            for _ in range(3):
                client.get("/", headers={"X-Forwarded-For": "203.0.113.9"})
        assert caplog.text.count("PROXY_COUNT is 0") == warnings, proxies
        app.extensions["repository"].engine.dispose()


# --- 3. a suggested abstract never carries the body into the open ---------------------------------

def test_a_short_files_text_is_not_suggested_as_its_abstract(client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor")
    sign_in(client, "dep@example.org")
    body = ("Our embargoed finding is that the quorbalt method halved the time a referral waited. "
            "Practitioners in three councils shared information about families at risk with consent. ") * 3
    edit = deposit_file(client, pdf_bytes(tmp_path, [body], "short.pdf"), "short.pdf").headers["Location"]
    page = client.get(edit).get_data(as_text=True)
    with res.sessions() as session:
        item = session.get(Item, int(edit.split("/")[-2]))
        assert "quorbalt" not in item.abstract.lower()
    assert "The abstract is public whoever may read the file" in page


def test_a_real_abstract_is_still_suggested_and_kept_short(client, res, tmp_path):
    make_user(res, "dep@example.org", "depositor")
    sign_in(client, "dep@example.org")
    abstract = ("This paper describes how councils and police share information about families. "
                "We interviewed practitioners in six areas about consent and risk. ") * 2
    pages = ["Sharing information about families\n\nAnn Example\n\nAbstract\n" + abstract + "\n\n1 Introduction\n"
             + TEXT, TEXT * 3, TEXT * 3]
    edit = deposit_file(client, pdf_bytes(tmp_path, pages, "long.pdf"), "long.pdf").headers["Location"]
    with res.sessions() as session:
        suggested = session.get(Item, int(edit.split("/")[-2])).abstract
    assert suggested.startswith("This paper describes how councils") and len(suggested.split()) <= 300


def test_a_long_suggestion_is_cut_at_a_sentence_within_the_limit():
    from repository.services.items import ABSTRACT_MAX_WORDS, plausible_abstract

    sentence = "Councils shared information about families at risk with consent. "
    suggestion = sentence * 60  # 540 words
    cut = plausible_abstract(suggestion, suggestion + TEXT * 40)
    assert len(cut.split()) <= ABSTRACT_MAX_WORDS and cut.endswith("consent.")
    assert plausible_abstract(suggestion, suggestion) == ""  # the whole text is not an abstract


# --- 8. resource limits ------------------------------------------------------------------------------

def _upload_now(client, data: bytes, name: str):
    import io

    return client.post("/deposit/new", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_many_uploads_at_once_are_read_one_after_another(app, client, res, tmp_path, monkeypatch):
    import threading
    import time

    from repository.models import Upload
    from repository.services import uploads

    real = uploads.read_upload
    running, peak, lock = [0], [0], threading.Lock()

    def counted(path, limits, **options):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        try:
            time.sleep(0.2)  # long enough for the next uploads to arrive meanwhile
            return real(path, limits, **options)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(uploads, "read_upload", counted)
    make_user(res, "dep@example.org", "depositor")
    sign_in(client, "dep@example.org")
    for n in range(6):
        assert _upload_now(client, pdf_bytes(tmp_path, [TEXT + f" Paper {n}."], f"p{n}.pdf"), f"p{n}.pdf"
                           ).status_code == 302
    job_threads = [t for t in threading.enumerate() if t.name.startswith("repository-job")]
    assert len(job_threads) <= 1  # queued, not one thread (and extraction process) per upload
    res.jobs.run_pending()
    with res.sessions() as session:
        assert [u.state for u in session.query(Upload)] == ["done"] * 6
    assert peak[0] == 1


def test_an_upload_beyond_the_waiting_bound_is_told_to_try_again_in_a_minute(app, client, res, tmp_path,
                                                                              monkeypatch):
    import threading

    from repository.services import uploads

    app.config.update(UPLOADS_WAITING_MAX=2)
    release = threading.Event()
    real = uploads.read_upload
    monkeypatch.setattr(uploads, "read_upload", lambda *a, **k: release.wait(60) and real(*a, **k))
    make_user(res, "dep@example.org", "depositor")
    sign_in(client, "dep@example.org")
    try:
        for n in range(2):
            assert _upload_now(client, pdf_bytes(tmp_path, [TEXT + f" Wait {n}."], f"w{n}.pdf"), f"w{n}.pdf"
                               ).status_code == 302
        busy = _upload_now(client, pdf_bytes(tmp_path, [TEXT + " One too many."], "w2.pdf"), "w2.pdf")
        assert busy.status_code == 503 and busy.headers["Retry-After"] == "60"
        assert "Try again in a minute" in busy.get_data(as_text=True)
    finally:
        release.set()
        res.jobs.run_pending()
    assert _upload_now(client, pdf_bytes(tmp_path, [TEXT + " Room again."], "w3.pdf"), "w3.pdf").status_code == 302
    res.jobs.run_pending()


def test_a_new_version_while_another_request_reads_a_file_is_told_to_wait(app, client, res, tmp_path):
    import io

    from repository.services import deposits

    make_user(res, "dep@example.org", "depositor")
    sign_in(client, "dep@example.org")
    edit = deposit_file(client, pdf_bytes(tmp_path, [TEXT], "v1.pdf"), "v1.pdf").headers["Location"]
    item_id = int(edit.split("/")[-2])
    assert deposits._REQUEST_EXTRACTION.acquire(blocking=False)  # another request is reading a file
    try:
        busy = client.post(f"/deposit/{item_id}/version", content_type="multipart/form-data",
                           data={"file": (io.BytesIO(pdf_bytes(tmp_path, [TEXT + " v2"], "v2.pdf")), "v2.pdf")})
    finally:
        deposits._REQUEST_EXTRACTION.release()
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "60"
    assert "Try again in a minute" in busy.get_data(as_text=True)
    with res.sessions() as session:
        assert len(session.get(Item, item_id).files) == 1


def test_a_file_read_only_in_part_says_so_on_its_page_and_in_the_report(app, client, runner, res, tmp_path):
    import dataclasses
    import json

    res.limits = dataclasses.replace(res.limits, max_pages=3)  # as 2,000 of a 60,000-page file
    make_user(res, "dep@example.org", "depositor")
    sign_in(client, "dep@example.org")
    pages = [TEXT + f" Page {n}." for n in range(5)]
    edit = deposit_file(client, pdf_bytes(tmp_path, pages, "long.pdf"), "long.pdf").headers["Location"]
    page = client.get(f"/items/{edit.split('/')[-2]}").get_data(as_text=True)
    assert "Only the first 3 of this file's 5 pages were read" in page
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "long2.pdf").write_bytes(pdf_bytes(tmp_path, pages + ["An extra page."], "long2.pdf"))
    result = runner.invoke(args=["ingest", str(folder), "--jobs", "1", "--report", str(tmp_path / "r.jsonl")])
    assert result.exit_code == 0, result.output
    [line] = [json.loads(text) for text in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert line["status"] == "ingested" and "only the first 3 of 6 pages were read" in line["reason"]
    assert "Only the first 3 of this file's 6 pages were read" in client.get(f"/items/{line['id']}").get_data(
        as_text=True)


# --- 4. hidden items do not move the visible ones ------------------------------------------------

def test_restricted_items_do_not_reorder_an_anonymous_visitors_results(app, client, make_item):
    filler = "Councils and police shared information about families at risk with consent. "
    first = make_item(title="Paper one", abstract=filler + "marrowfen " * 4, status="published")
    second = make_item(title="Paper two", abstract=filler + "quillstock " * 3, status="published")
    for n in range(4):
        make_item(title=f"Other paper {n}", abstract=filler * 2, status="published")

    def anonymous_order() -> list[int]:
        return [r["id"] for r in client.get("/api/v1/search?q=marrowfen quillstock").get_json()["results"]]

    before = anonymous_order()
    assert before == [first, second]
    # Restricted items full of one of the words: counted in the statistics, they would make it
    # common, weigh it down for everyone and put the second paper first.
    for n in range(6):
        make_item(title=f"Restricted report {n}", abstract=filler + "marrowfen " * 2, access="restricted",
                  status="published")
    assert anonymous_order() == before
    related = client.get(f"/items/{first}").get_data(as_text=True)
    assert "Restricted report" not in related
