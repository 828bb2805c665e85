"""Who may see what, through the real app and index: every access level x kind of user x way in.

Each item carries made-up words found nowhere else: one in its title (metadata) and one
only in its file's text. For a person who may not see an item, neither word may appear
in any answer: not a result, total, facet count, snippet, suggestion, related item, API
record, browse page, seminar page, calendar file, item page or file. Each item also has an
additional file (slides) kept to its restricted readers, with a word of its own.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from indexer.extraction.extract import extract_file
from indexer.search import SearchRequest, more_like_this, search
from repository import create_app
from repository.commands.database import prepare_database
from repository.context import resources
from repository.db import transaction
from repository.models import Item, Place
from repository.services import moderation
from repository.services.access import principals_for
from repository.services.accounts import get_user_by_email
from repository.services.additional_files import add_additional_file
from repository.services.deposits import set_named_readers
from repository.services.items import AuthorData, ItemData, attach_file, create_item
from repository.services.seminars import EventData, SessionData, add_session, create_event
from tests.conftest import apply_changes
from tests.indexer import office

from .people import PASSWORD, make_pdf, make_user

COMMON = ("Information sharing between councils, police and health services about families. "
          "Practitioners discussed consent, risk and the multi-agency safeguarding hub. ")


@dataclass(frozen=True)
class Level:
    """One kind of item in the matrix and its made-up marker words."""

    name: str
    title_word: str
    body_word: str
    place: str
    access: str = "open"
    status: str = "published"
    file_word: str = ""  # only in the item's additional file, which is restricted


LEVELS = [
    Level("open", "fennimoor", "blorvex", "Fennimoor Vale", file_word="trevallion"),
    Level("registered", "caldrevin", "quandrel", "Caldrevin Vale", access="registered", file_word="pellucombe"),
    Level("restricted", "ostrapel", "zintaphor", "Ostrapel Vale", access="restricted", file_word="skarnwhistle"),
    Level("embargoed", "wimberlo", "morquelle", "Wimberlo Vale", access="embargoed", file_word="dunmarrow"),
    Level("draft", "sprocklet", "vextrimon", "Sprocklet Vale", status="draft", file_word="quibbleton"),
    Level("submitted", "thrennody", "plundrake", "Thrennody Vale", status="submitted", file_word="varnocket"),
    Level("withdrawn", "gavolith", "grellowax", "Gavolith Vale", status="withdrawn", file_word="hobbleforth"),
]
USERS = {
    # name: (email, role, organisation)
    "anonymous": None,
    "reader": ("reader@example.org", "reader", None),
    "depositor": ("owner@example.org", "depositor", "Leeds City Council"),
    "other depositor": ("other@example.org", "depositor", "Bradford Council"),
    "editor": ("editor@example.org", "editor", None),
    "organisation member": ("colleague@example.org", "reader", "Leeds City Council"),
    "named reader": ("named@example.org", "reader", None),
}
EVERYONE = set(USERS)
SIGNED_IN = EVERYONE - {"anonymous"}
RESTRICTED_READERS = {"depositor", "editor", "organisation member", "named reader"}
OWNER_AND_EDITORS = {"depositor", "editor"}

# Who finds the record (title, metadata) in search, and who may open the item page.
SEES_RECORD = {
    "open": EVERYONE, "registered": SIGNED_IN, "restricted": RESTRICTED_READERS, "embargoed": EVERYONE,
    "draft": set(), "submitted": set(), "withdrawn": set(),
}
OPENS_PAGE = {**SEES_RECORD, "draft": OWNER_AND_EDITORS, "submitted": OWNER_AND_EDITORS,
              "withdrawn": set()}
# Who may download the file.
DOWNLOADS = {
    "open": EVERYONE, "registered": SIGNED_IN, "restricted": RESTRICTED_READERS,
    "embargoed": OWNER_AND_EDITORS, "draft": OWNER_AND_EDITORS, "submitted": OWNER_AND_EDITORS,
    "withdrawn": {"editor"},
}
# Whose queries reach the text: embargoed text is kept out of the index until the embargo ends.
REACHES_TEXT = {**SEES_RECORD, "embargoed": set()}
# Every item has an additional file (Word slides) kept to restricted readers (named readers
# only where the item names them: the restricted one): who may download it, whose queries reach its text.
FILE_READERS = {level.name: RESTRICTED_READERS - ({"named reader"} if level.access != "restricted" else set())
                for level in LEVELS}
FILE_DOWNLOADS = {name: people & FILE_READERS[name] for name, people in DOWNLOADS.items()}
FILE_REACHES = {name: people & FILE_READERS[name] for name, people in REACHES_TEXT.items()}


def build_matrix(folder):
    """Return (app, {level name: item id}): an item at every level, plus an open anchor item, in `folder`."""
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": False, "INDEX_LOCK_TIMEOUT": 5.0},
                     instance_path=folder / "instance")
    ids: dict[str, int] = {}
    with app.app_context():
        prepare_database()
        res = resources()
        for spec in USERS.values():
            if spec:
                email, role, organisation = spec
                make_user(res, email, role, organisation=organisation)
        with transaction(res.sessions) as session:
            owner = get_user_by_email(session, "owner@example.org")
            for level in [Level("anchor", "anchorword", "anchorbody", "Anchor Vale")] + LEVELS:
                text = COMMON * 3 + f"The {level.body_word} finding matters. " + COMMON
                pdf = make_pdf(folder / f"{level.name}.pdf", [text])
                extraction = extract_file(pdf)
                assert extraction.status == "ok", extraction.reason
                status = "published" if level.status == "withdrawn" else level.status
                item = create_item(session, ItemData(
                    title=f"Sharing information in families {level.title_word}",
                    authors=[AuthorData(f"Author {level.title_word.title()}")],
                    abstract=f"A study of information sharing with families ({level.title_word}).",
                    year=2015, access=level.access, status=status, places=[level.place],
                    embargo_until=date.today() + timedelta(days=365) if level.access == "embargoed" else None,
                ), depositor=owner)
                attach_file(session, item, extraction, res.files, original_name=pdf.name)
                if level.access == "restricted":
                    set_named_readers(session, item, ["named@example.org"])
                if level.file_word:
                    slides = office.word_docx(folder / f"{level.name}-slides.docx",
                                              [COMMON + f"The {level.file_word} slide shows the pilot."])
                    add_additional_file(session, item, extract_file(slides), res.files,
                                        get_user_by_email(session, "editor@example.org"), label="slides",
                                        access="item" if level.access == "restricted" else "restricted",
                                        file_name=slides.name)
                ids[level.name] = item.id
        apply_changes(app.extensions["repository"])  # the withdrawn item is searchable for a moment, as in real life
        with transaction(res.sessions) as session:
            moderation.withdraw(session, session.get(Item, ids["withdrawn"]),
                                get_user_by_email(session, "editor@example.org"),
                                "Withdrawn for the access matrix test.")
        apply_changes(app.extensions["repository"])
        with transaction(res.sessions) as session:  # a seminar whose one session presented every item
            event = create_event(session, EventData(name="Matrix seminar", date=date.today() + timedelta(days=9)),
                                 None, action="event_imported")
            add_session(session, event, SessionData(title="Everything", item_ids=list(ids.values())), None)
    return app, ids


@pytest.fixture(scope="module")
def matrix(tmp_path_factory):
    """The matrix's app and item ids, built once for the module."""
    app, ids = build_matrix(tmp_path_factory.mktemp("matrix"))
    yield app, ids
    app.extensions["repository"].engine.dispose()


def _client(app, who: str):
    client = app.test_client()
    if USERS[who]:
        response = client.post("/account/sign-in", data={"email": USERS[who][0], "password": PASSWORD})
        assert response.status_code == 302, f"{who} could not sign in"
    return client


def _text(response) -> str:
    return response.get_data(as_text=True)


def _answer_without_query(answer: dict) -> str:
    """Return the API answer as text, minus the echo of the person's own query."""
    return json.dumps({key: value for key, value in answer.items() if key != "query"}).lower()


CASES = [(level, who) for level in LEVELS for who in USERS]


@pytest.mark.parametrize("level, who", CASES, ids=[f"{lv.name}-{who.replace(' ', '_')}" for lv, who in CASES])
def test_access_matrix(matrix, level: Level, who: str):
    app, ids = matrix
    client = _client(app, who)
    item_id = ids[level.name]
    # A link to the item's page, bare or with the search it came from (?q=..., ?results=...).
    link = re.compile(rf'/items/{item_id}["?#]')
    sees = who in SEES_RECORD[level.name]
    reaches_text = who in REACHES_TEXT[level.name]

    # Search results and totals: by a word of its title, and by a word only in its text.
    by_title = json.loads(_text(client.get(f"/api/v1/search?q={level.title_word}")))
    assert by_title["total"] == (1 if sees else 0)
    assert [r["id"] for r in by_title["results"]] == ([item_id] if sees else [])
    page = _text(client.get(f"/search?q={level.title_word}"))
    assert bool(link.search(page)) == sees
    by_body = json.loads(_text(client.get(f"/api/v1/search?q={level.body_word}")))
    assert by_body["total"] == (1 if reaches_text else 0)

    # Snippets: the text's word is highlighted for those who may read it, absent for others.
    if reaches_text:
        assert f"<mark>{level.body_word}</mark>" in by_body["results"][0]["snippet"].lower()
    else:
        assert level.body_word not in _answer_without_query(by_body)
        page = _text(client.get(f"/search?q={level.body_word}")).lower()
        assert f"<mark>{level.body_word}" not in page and not link.search(page)

    # Other ways to reach the text: prefixes, phrases, fields, fuzzy terms.
    for query in (f"{level.body_word[:5]}*", f'"{level.body_word} finding"', f"{level.body_word}~",
                  f"title:{level.title_word}", f"author:{level.title_word}", f"place:{level.place.split()[0]}"):
        answer = json.loads(_text(client.get("/api/v1/search", query_string={"q": query})))
        if not (sees if ":" in query else reaches_text):
            assert item_id not in [r["id"] for r in answer["results"]], query
            assert level.body_word not in _answer_without_query(answer), query

    # Facet counts over everything visible: its unique place is counted once, or not at all.
    browse = json.loads(_text(client.get("/api/v1/search?q=")))
    place_counts = {f["value"]: f["count"] for f in browse["facets"].get("places", [])}
    place_slug = level.place.lower().replace(" ", "-")
    assert place_counts.get(place_slug) == (1 if sees else None)
    author_counts = {f["value"]: f["count"] for f in browse["facets"].get("authors", [])}
    assert author_counts.get(f"Author {level.title_word.title()}") == (1 if sees else None)
    if not sees:
        assert level.title_word not in json.dumps(browse).lower()
    expected_total = 1 + sum(who in SEES_RECORD[other.name] for other in LEVELS)  # + the open anchor
    assert browse["total"] == expected_total

    # Suggestions: a misspelling may only be corrected towards words the person may see.
    misspelt = level.body_word[:-1] + ("a" if level.body_word[-1] != "a" else "e")
    suggestion = _corrections(json.loads(_text(client.get(f"/api/v1/search?q={misspelt}"))))
    if not reaches_text:
        assert level.body_word not in suggestion.lower()
    title_typo = level.title_word[:-1] + ("a" if level.title_word[-1] != "a" else "e")
    title_suggestion = _corrections(json.loads(_text(client.get(f"/api/v1/search?q={title_typo}"))))
    if not sees:
        assert level.title_word not in title_suggestion.lower()

    # Related items, on the page of an open item with the same text.
    anchor = _text(client.get(f"/items/{ids['anchor']}"))
    if not sees:
        assert not link.search(anchor) and level.title_word not in anchor
    with app.app_context():
        with resources().sessions() as session:
            user = get_user_by_email(session, USERS[who][0]) if USERS[who] else None
            principals = principals_for(user)
        related = more_like_this(resources().index, str(ids["anchor"]), principals, limit=20)
    assert (str(item_id) in related) == sees

    # Browse pages: home, the place's page, the authors index.
    for url in ("/", f"/places/{place_slug}", "/authors", "/places"):
        response = client.get(url)
        if not sees and response.status_code == 200:
            assert level.title_word not in _text(response).lower(), url

    # Seminar channels: the session that presented it lists it only to those who see its record;
    # the calendar file and the editors' registrations never name it.
    event_page = _text(client.get("/events/matrix-seminar"))
    assert bool(link.search(event_page)) == sees and (level.title_word in event_page.lower()) == sees
    calendar = client.get("/events/matrix-seminar/calendar.ics")
    assert calendar.status_code == 200 and level.title_word not in _text(calendar).lower()
    registrations = client.get("/events/matrix-seminar/registrations.csv")
    assert registrations.status_code == (200 if who == "editor" else 403 if USERS[who] else 302)
    assert level.title_word not in _text(registrations).lower()

    # The item page, and the file.
    response = client.get(f"/items/{item_id}")
    if level.name == "withdrawn":
        # A tombstone for those who could have seen it; nothing for the others.
        assert response.status_code == (410 if who in SEES_RECORD["open"] else 404)
    else:
        assert response.status_code == (200 if who in OPENS_PAGE[level.name] else 404)
        if response.status_code == 404:
            assert level.title_word not in _text(response).lower()
    download = client.get(f"/items/{item_id}/file.pdf")
    if who in DOWNLOADS[level.name]:
        assert download.status_code == 200 and download.data.startswith(b"%PDF")
    else:
        assert download.status_code in (403, 404) and not download.data.startswith(b"%PDF")
    version = client.get(f"/items/{item_id}/versions/1.pdf")
    assert (version.status_code == 200) == (who in DOWNLOADS[level.name])

    # The additional file: found by its word, listed in the API and downloaded only by its readers.
    reaches_file = who in FILE_REACHES[level.name]
    by_file = json.loads(_text(client.get(f"/api/v1/search?q={level.file_word}")))
    assert by_file["total"] == (1 if reaches_file else 0)
    if reaches_file:
        assert f"<mark>{level.file_word}</mark>" in by_file["results"][0]["snippet"].lower()
    else:
        assert level.file_word not in _answer_without_query(by_file)
        page = _text(client.get(f"/search?q={level.file_word}")).lower()
        assert f"<mark>{level.file_word}" not in page and not link.search(page)
        for query in (f"{level.file_word[:6]}*", f'"{level.file_word} slide"', f"{level.file_word}~",
                      f"{level.title_word} {level.file_word}", f"{level.file_word[:-1]}a"):
            answer = json.loads(_text(client.get("/api/v1/search", query_string={"q": query})))
            assert level.file_word not in _answer_without_query(answer), query
            assert answer["total"] == (1 if sees and level.title_word in query else 0), query
        export = _text(client.get("/search.csv", query_string={"q": f"{level.title_word} {level.file_word}"}))
        assert level.file_word not in export.lower() and "pilot" not in export.lower()
    with app.app_context(), resources().sessions() as session:
        file_id = session.get(Item, item_id).additional_files[0].id
    record = client.get(f"/api/v1/items/{item_id}")
    if record.status_code == 200:
        listed = [f["id"] for f in json.loads(_text(record))["other_files"]]
        assert listed == ([file_id] if who in FILE_DOWNLOADS[level.name] else [])
    attached = client.get(f"/items/{item_id}/files/{file_id}.docx")
    assert (attached.status_code == 200) == (who in FILE_DOWNLOADS[level.name])
    if attached.status_code != 200:
        assert attached.status_code == 404 and not attached.data.startswith(b"PK")
    harvest = _text(client.get("/oai", query_string={"verb": "ListRecords", "metadataPrefix": "oai_dc"}))
    assert level.file_word not in harvest.lower()


@pytest.mark.parametrize("level", LEVELS, ids=[lv.name for lv in LEVELS])
def test_review_mail_tells_only_people_who_may_see_the_item(matrix, level: Level):
    """The review workflow's mail is a channel too: every notice for every item goes only to someone who sees it."""
    from repository.services import notices

    app, ids = matrix
    emails = {spec[0]: who for who, spec in USERS.items() if spec}
    with app.app_context(), resources().sessions() as session:
        item = session.get(Item, ids[level.name])
        made = (notices.submitted(session, item) + notices.submitted(session, item, new_version=True)
                + notices.returned(item, "m") + notices.published(item) + notices.withdrawn(item, "r")
                + notices.version_accepted(item) + notices.version_rejected(item, "m"))
        told = {emails[notice.to.email] for notice in made}
        readers = {emails[notice.to.email] for notice in notices.readers_given_access(item)}
    may_know = OPENS_PAGE[level.name] | (OWNER_AND_EDITORS if level.name == "withdrawn" else set())
    assert told <= may_know, told - may_know
    assert "editor" in told  # every item's editors hear of it; the depositor, while it is theirs to see
    assert readers == ({"named reader"} if level.name == "restricted" else set())


def _corrections(answer: dict) -> str:
    """Return, lowercased, the spelling corrections an API answer offers or searched instead."""
    return " ".join(answer[key] or "" for key in ("suggestion", "searched_for")).lower()


def test_suggestions_do_correct_towards_visible_words(matrix):
    """The other half of the suggestion check: it is not silent for everyone."""
    app, ids = matrix
    client = _client(app, "editor")
    answer = json.loads(_text(client.get("/api/v1/search?q=zintaphoe")))
    assert "zintaphor" in _corrections(answer)


def test_search_service_filters_inside_the_query(matrix):
    """Totals from the engine itself match the matrix for each person's principals."""
    app, ids = matrix
    with app.app_context():
        res = resources()
        with res.sessions() as session:
            for who, spec in USERS.items():
                user = get_user_by_email(session, spec[0]) if spec else None
                result = search(res.index, SearchRequest(q="families", principals=principals_for(user)))
                expected = {str(ids["anchor"])} | {str(ids[lv.name]) for lv in LEVELS if who in SEES_RECORD[lv.name]}
                assert {hit.id for hit in result.hits} == expected, who


# --- messages that could confirm what exists (issue 12, findings 1 and 2) -------------------------
#
# Each oracle asks the same question about something the asker may not see and about something
# that does not exist, and requires the same answer.

# Whose items "other depositor" may see, so whose file the duplicate check may name.
OTHER_SEES = {level.name for level in LEVELS if "other depositor" in SEES_RECORD[level.name]}


def _stored_bytes(app, item_id: int) -> bytes:
    with app.app_context(), resources().sessions() as session:
        sha = session.get(Item, item_id).files[0].sha256
        return resources().files.path_for(sha).read_bytes()


def _new_draft(app, client, tmp_path, word: str) -> int:
    from .people import deposit_file

    pdf = make_pdf(tmp_path / f"{word}.pdf", [COMMON + f"A fresh {word} report."])
    response = deposit_file(client, pdf.read_bytes(), f"{word}.pdf")
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit"), _text(response)
    client.get(response.headers["Location"])  # shows (and so clears) the "we have filled in" message
    return int(response.headers["Location"].split("/")[-2])


def _delete_draft(client, item_id: int) -> None:
    assert client.post(f"/deposit/{item_id}/delete", data={"confirm": "yes"}).status_code == 302


def _assert_alike(answers: list[tuple[int, str]]) -> None:
    """Assert two (status, page) answers are the same, showing the lines that differ."""
    import difflib

    (status_a, page_a), (status_b, page_b) = answers
    diff = [line for line in difflib.unified_diff(page_a.splitlines(), page_b.splitlines(), lineterm="", n=0)]
    assert status_a == status_b and not diff, "\n".join(diff[:40])


def _normalised(page: str, *variants: str) -> str:
    """Return a page with the parts that name what was asked about made alike (and its form tokens,
    which carry the second they were made)."""
    import re

    for variant in variants:
        page = page.replace(variant, "ADDRESS")
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value="TOKEN"', page)


@pytest.mark.parametrize("level", LEVELS, ids=[level.name for level in LEVELS])
def test_uploading_an_items_file_says_already_deposited_only_to_those_who_see_it(matrix, level):
    from .people import deposit_file

    app, ids = matrix
    client = _client(app, "other depositor")
    response = deposit_file(client, _stored_bytes(app, ids[level.name]), "copy.pdf")
    page = _text(response)
    if level.name in OTHER_SEES:
        assert response.status_code == 422 and "already been deposited" in page
    else:
        # Exactly what a file nobody has deposited gets: a new draft, and no word of the other item.
        assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
        assert "already been deposited" not in page
        draft = client.get(response.headers["Location"])
        assert draft.status_code == 200 and level.title_word not in _text(draft).lower()
        # The editors who review it are told which item holds the same file.
        review = _text(_client(app, "editor").get(f"/moderation/items/{response.headers['Location'].split('/')[-2]}"))
        assert "The same file is also held by" in review and level.title_word in review
        _delete_draft(client, int(response.headers["Location"].split("/")[-2]))
    # The owner is still protected from depositing the same file twice.
    if level.name not in ("withdrawn",):
        owner = deposit_file(_client(app, "depositor"), _stored_bytes(app, ids[level.name]), "again.pdf")
        assert owner.status_code == 422 and "already been deposited" in _text(owner)


def test_a_typed_place_keeps_its_spelling_unless_the_person_can_see_the_place(matrix, tmp_path):
    app, ids = matrix
    client = _client(app, "other depositor")
    item_id = _new_draft(app, client, tmp_path, "placeoracle")
    with app.app_context(), resources().sessions() as session:
        form = {"type": "paper", "title": "Place oracle", "authors": "Ann Example", "abstract": "", "summary": "",
                "year": "2015", "event": "", "licence": "", "access": "open", "embargo_until": "", "readers": "",
                "save": "y"}
        before = {place.slug: place.name for place in session.scalars(select(Place))}
    typed = [level.place.upper() for level in LEVELS] + ["NEVERHEARD VALE"]
    try:
        response = client.post(f"/deposit/{item_id}/edit", data={**form, "places": ", ".join(typed)})
        assert response.status_code == 302
        page = _text(client.get(f"/deposit/{item_id}/edit"))
        for level in LEVELS:
            shown = level.place if level.name in OTHER_SEES else level.place.upper()
            assert shown in page, level.name
        assert "NEVERHEARD VALE" in page  # a new place: as typed, like every hidden one
    finally:
        _delete_draft(client, item_id)
        with app.app_context(), transaction(resources().sessions) as session:
            for place in session.scalars(select(Place)):
                place.name = before.get(place.slug, place.name)


def test_naming_a_reader_answers_alike_for_accounts_and_strangers(matrix, tmp_path):
    app, ids = matrix
    client = _client(app, "other depositor")
    item_id = _new_draft(app, client, tmp_path, "readeroracle")
    form = {"type": "paper", "title": "Reader oracle", "authors": "Ann Example", "abstract": "", "summary": "",
            "year": "2015", "event": "", "places": "", "licence": "", "access": "restricted", "embargo_until": "",
            "save": "y"}
    try:
        answers = []
        for address in ("reader@example.org", "nobody-at-all@example.org"):
            response = client.post(f"/deposit/{item_id}/edit", data={**form, "readers": address},
                                   follow_redirects=True)
            answers.append((response.status_code, _normalised(_text(response), address)))
        _assert_alike(answers)
    finally:
        _delete_draft(client, item_id)


def test_registering_a_taken_address_answers_as_a_new_one(matrix):
    app, _ids = matrix
    answers = []
    for address in ("reader@example.org", "brand-new-person@example.org"):
        response = app.test_client().post("/account/register", data={
            "name": "Someone", "email": address, "password": "a long pass phrase", "confirm": "a long pass phrase"})
        answers.append((response.status_code, _normalised(_text(response), address)))
    _assert_alike(answers)
    assert answers[0][0] == 200 and "already exists" not in answers[0][1]


def test_a_reset_request_does_the_same_work_for_any_address(matrix, monkeypatch):
    app, _ids = matrix
    jobs = app.extensions["repository"].jobs
    deferred = []
    monkeypatch.setattr(jobs, "defer", lambda name, **kwargs: deferred.append((name, sorted(kwargs))))
    answers = []
    for address in ("reader@example.org", "nobody-at-all@example.org"):
        response = app.test_client().post("/account/reset", data={"email": address})
        answers.append((response.status_code, _normalised(_text(response), address)))
    _assert_alike(answers)
    # The request looks nothing up: both hand the address to the same job, which mails or not.
    assert deferred == [("send_reset_link", ["base_url", "email"])] * 2


def test_did_you_mean_for_two_readers_in_two_threads(matrix):
    """Finding 1: an anonymous visitor never gets a correction towards a word only a hidden item has."""
    import threading

    app, _ids = matrix
    leaks, errors = [], []

    def ask(who: str, rounds: int) -> None:
        client = _client(app, who)
        try:
            for _ in range(rounds):
                answer = json.loads(_text(client.get("/api/v1/search?q=zintaphoe")))
                if who == "anonymous" and "zintaphor" in _corrections(answer):
                    leaks.append(_corrections(answer))
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=ask, args=(who, 40)) for who in ("editor", "anonymous", "editor", "anonymous")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and not leaks


# --- embargoes end on their date, without anyone acting ----------------------------------------

def _embargoed_item(app, tmp_path, until: date) -> int:
    with app.app_context():
        res = resources()
        make_user(res, "owner@example.org", "depositor")
        with transaction(res.sessions) as session:
            pdf = make_pdf(tmp_path / "embargoed.pdf", [COMMON + "The hollowmere result stays closed."])
            item = create_item(session, ItemData(title="An embargoed study", authors=[AuthorData("Ann Example")],
                                                 access="embargoed", embargo_until=until),
                               depositor=get_user_by_email(session, "owner@example.org"))
            attach_file(session, item, extract_file(pdf), res.files, original_name=pdf.name)
            item_id = item.id
    apply_changes(app.extensions["repository"])
    return item_id


def test_an_embargo_lifts_on_its_date(app, tmp_path):
    from repository.models import AuditEntry
    from repository.services.embargoes import lift_due_embargoes

    until = date(2031, 6, 1)
    item_id = _embargoed_item(app, tmp_path, until)
    client = app.test_client()
    with app.app_context():
        res = resources()
        assert search(res.index, SearchRequest(q="hollowmere")).total == 0
        assert search(res.index, SearchRequest(q="embargoed study")).total == 1  # metadata is open
        with transaction(res.sessions) as session:
            assert lift_due_embargoes(session, until - timedelta(days=1)) == []
        assert client.get(f"/items/{item_id}/file.pdf").status_code in (403, 404)
        with transaction(res.sessions) as session:
            assert lift_due_embargoes(session, until) == [item_id]
        with transaction(res.sessions) as session:
            assert lift_due_embargoes(session, until) == []  # once only
            item = session.get(Item, item_id)
            assert item.access == "open" and item.embargo_until == until
            [entry] = [e for e in session.query(AuditEntry).filter_by(item_id=item_id) if e.action == "embargo_lifted"]
            assert entry.actor == "system" and entry.changes == {"access": ["embargoed", "open"]}
        assert search(res.index, SearchRequest(q="hollowmere")).total == 0  # until the indexer applies it
        apply_changes(app.extensions["repository"])
        hits = search(res.index, SearchRequest(q="hollowmere")).hits
        assert [hit.id for hit in hits] == [str(item_id)]
    download = client.get(f"/items/{item_id}/file.pdf")
    assert download.status_code == 200 and download.data.startswith(b"%PDF")


def test_the_indexer_service_lifts_due_embargoes_by_itself(app, tmp_path):
    import threading

    from repository.follower import Housekeeping, IndexFollower, follow

    # An embargo that ended yesterday, recorded while nobody was looking.
    item_id = _embargoed_item(app, tmp_path, date.today() + timedelta(days=30))
    with app.app_context(), transaction(resources().sessions) as session:
        session.get(Item, item_id).embargo_until = date.today() - timedelta(days=1)
    client = app.test_client()
    res = app.extensions["repository"]
    stop = threading.Event()
    rounds = iter(range(3))
    # The service's own loop, run for three rounds: lift, then apply what the lift logged.
    follow(IndexFollower(res.sessions, res.index), stop=stop, housekeeping=Housekeeping(embargo_seconds=60),
           wait=lambda _seconds: next(rounds, None) is None and stop.set())
    with app.app_context():
        assert search(resources().index, SearchRequest(q="hollowmere")).total == 1
        with resources().sessions() as session:
            assert session.get(Item, item_id).access == "open"
    assert client.get(f"/items/{item_id}/file.pdf").status_code == 200


# --- bulk ingest sets the level too ---------------------------------------------------------------

def test_bulk_ingest_with_access_restricted_hides_items_from_all_but_editors(app, runner, tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    make_pdf(folder / "victims.pdf", [COMMON + "Refuge referrals mention the word snorkwillow."])
    result = runner.invoke(args=["ingest", str(folder), "--access", "restricted", "--jobs", "1"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        res = resources()
        make_user(res, "reader@example.org", "reader")
        make_user(res, "editor@example.org", "editor")
        with res.sessions() as session:
            [item] = session.query(Item).all()
            assert item.access == "restricted" and item.depositor_id is None
    for who, expected in (("anonymous", 0), ("reader", 0), ("editor", 1)):
        client = app.test_client()
        if who != "anonymous":
            client.post("/account/sign-in", data={"email": f"{who}@example.org", "password": PASSWORD})
        answer = json.loads(_text(client.get("/api/v1/search?q=snorkwillow")))
        assert answer["total"] == expected, who
        assert client.get(f"/items/{item.id}/file.pdf").status_code == (200 if expected else 404), who
