"""Seminars run from the site: editors make events and programmes, visitors register, calendars, CSV import."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import icalendar
import pytest
from sqlalchemy import select

from repository import create_app
from repository.commands.database import prepare_database
from repository.context import resources
from repository.models import Event, EventAuditEntry, Registration
from repository.services.event_import import COLUMNS
from repository.services.registrations import withdraw_token
from tests.mailbox import body_of, smtp_server

from .people import csrf_token, make_user, sign_in

TODAY = date.today()


def _path(link: str) -> str:
    return "/" + link.split("/", 3)[3]


def _new_event(client, name: str, day: date, **fields) -> str:
    """Create an event through the form; return its slug."""
    response = client.post("/events/new", data={"name": name, "date": day.isoformat(), **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].split("/events/")[1].split("/")[0]


def _audit(res, slug: str) -> list[str]:
    with res.sessions() as session:
        event = session.scalar(select(Event).where(Event.slug == slug))
        return [entry.action for entry in session.scalars(
            select(EventAuditEntry).where(EventAuditEntry.event_id == event.id).order_by(EventAuditEntry.id))]


@pytest.fixture
def editor(app, res):
    make_user(res, "ed@example.org", "editor")
    client = app.test_client()
    sign_in(client, "ed@example.org")
    return client


def test_a_seminar_from_creation_to_its_papers(app, res, editor, make_item):
    # The editor creates an upcoming seminar with two sessions.
    slug = _new_event(editor, "Seminar 9: Sharing with schools", TODAY + timedelta(days=20),
                      venue="Civic Hall, 1 Market Street", place="Leeds", host="Aire Valley University",
                      description="A day on schools and safeguarding partners.")
    assert editor.post(f"/events/{slug}/sessions/new", data={
        "title": "Opening talk", "starts_at": "10:00", "ends_at": "10:45",
        "speakers": "Dr Ada Lane, Aire Valley University"}).status_code == 302
    assert editor.post(f"/events/{slug}/sessions/new", data={
        "title": "Schools panel", "starts_at": "11:00", "speakers": "Sam Oak, Leeds City Council\nKim Ash"}
    ).status_code == 302
    listing = app.test_client().get("/events").get_data(as_text=True)
    assert listing.index("Upcoming events") < listing.index("Seminar 9: Sharing with schools") \
        < listing.index("Past events")

    # A visitor registers interest and gets the email.
    visitor = app.test_client()
    page = visitor.get(f"/events/{slug}").get_data(as_text=True)
    assert "Opening talk" in page and "Dr Ada Lane" in page and "Register your interest" in page
    with smtp_server(app) as mailbox:
        response = visitor.post(f"/events/{slug}/register", data={
            "name": "Pat Practitioner", "email": "Pat@Council.example", "organisation": "Leeds City Council",
            "role": "Safeguarding lead", "accessibility": "Step-free access", "consent": "y"})
        assert response.status_code == 200 and "Registration received" in response.get_data(as_text=True)
        message = mailbox.wait_for(1)[0]
    assert message["To"] == "pat@council.example"
    body = body_of(message)
    assert "Seminar 9: Sharing with schools" in body and "Civic Hall" in body
    assert re.search(r"/events/withdraw/\S+", body)

    # The editor downloads the CSV.
    download = editor.get(f"/events/{slug}/registrations.csv")
    assert download.status_code == 200 and download.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["name", "email", "organisation"]
    assert rows[1][:5] == ["Pat Practitioner", "pat@council.example", "Leeds City Council", "Safeguarding lead",
                           "Step-free access"]

    # After the event (its date moved back) the editor links a paper and slides to a session.
    paper = make_item(title="Schools as safeguarding partners", type="paper")
    slides = make_item(title="Schools panel slides", type="slides")
    form = editor.get(f"/events/{slug}/edit").get_data(as_text=True)
    assert "Opening talk" in form
    assert editor.post(f"/events/{slug}/edit", data={
        "name": "Seminar 9: Sharing with schools", "date": (TODAY - timedelta(days=3)).isoformat(),
        "venue": "Civic Hall, 1 Market Street", "place": "Leeds", "host": "Aire Valley University",
        "description": "A day on schools and safeguarding partners."}).status_code == 302
    with res.sessions() as session:
        event = session.scalar(select(Event).where(Event.slug == slug))
        panel = next(part for part in event_parts(session, event) if part.title == "Schools panel")
        panel_id = panel.id
    assert editor.post(f"/events/{slug}/sessions/{panel_id}/edit", data={
        "title": "Schools panel", "starts_at": "11:00", "speakers": "Sam Oak, Leeds City Council\nKim Ash",
        "items": f"{paper}, {slides}"}).status_code == 302

    # The event page and the paper page show each other.
    anyone = app.test_client()
    event_page = anyone.get(f"/events/{slug}").get_data(as_text=True)
    anchor = f'id="session-{panel_id}"'
    assert anchor in event_page
    session_html = event_page.split(anchor, 1)[1].split('class="app-session"')[0]
    assert f'href="/items/{paper}"' in session_html and f'href="/items/{slides}"' in session_html
    assert "Register your interest" not in event_page
    paper_page = anyone.get(f"/items/{paper}").get_data(as_text=True)
    assert f'href="/events/{slug}#session-{panel_id}"' in paper_page and "Presented at" in paper_page
    past = anyone.get("/events").get_data(as_text=True)
    assert past.index("Past events") < past.index("Seminar 9: Sharing with schools")
    assert anyone.post(f"/events/{slug}/register", data={"name": "Late", "email": "late@example.org",
                                                         "consent": "y"}).status_code == 410

    # Every change is in the event's audit log, and the registration holds no one's details there.
    actions = _audit(res, slug)
    assert actions == ["event_created", "session_added", "session_added", "registration_added",
                       "event_updated", "session_updated"]
    with res.sessions() as session:
        logged = " ".join(entry.changes_json for entry in session.scalars(select(EventAuditEntry)))
    assert "pat@council.example" not in logged.lower()


def event_parts(session, event):
    from repository.services.seminars import programme

    return programme(session, event)


def test_only_editors_make_events_or_see_registrations(app, res, editor):
    slug = _new_event(editor, "Editors only", TODAY + timedelta(days=5))
    make_user(res, "dep@example.org", "depositor")
    depositor = app.test_client()
    sign_in(depositor, "dep@example.org")
    anonymous = app.test_client()
    pages = ["/events/new", f"/events/{slug}/edit", f"/events/{slug}/sessions/new",
             f"/events/{slug}/registrations", f"/events/{slug}/registrations.csv"]
    for url in pages:
        assert depositor.get(url).status_code == 403, url
        assert anonymous.get(url).status_code == 302 and "/account/sign-in" in anonymous.get(url).headers["Location"]
        assert editor.get(url).status_code == 200, url
    assert depositor.post("/events/new", data={"name": "Sneaky", "date": TODAY.isoformat()}).status_code == 403
    assert anonymous.post("/events/new", data={"name": "Sneaky", "date": TODAY.isoformat()}).status_code == 302
    with res.sessions() as session:
        assert session.scalar(select(Event).where(Event.name == "Sneaky")) is None
    assert "Create an event" not in depositor.get("/events").get_data(as_text=True)


def test_bad_input_gets_plain_messages_not_errors(editor):
    response = editor.post("/events/new", data={"name": "", "date": "31/02/2027"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Enter the event&#39;s title" in page and "Enter a real date" in page
    response = editor.post("/events/new", data={"name": "Backwards", "date": "2027-03-10", "end_date": "2027-03-01"})
    assert response.status_code == 400 and "must be the same as or after" in response.get_data(as_text=True)
    slug = _new_event(editor, "Good", TODAY + timedelta(days=2))
    response = editor.post(f"/events/{slug}/sessions/new", data={"title": "Talk", "starts_at": "25:99",
                                                                 "items": "99999"})
    assert response.status_code == 400 and "Enter a time" in response.get_data(as_text=True)
    response = editor.post(f"/events/{slug}/sessions/new", data={"title": "Talk", "items": "99999"})
    assert response.status_code == 400 and "There is no item numbered 99999" in response.get_data(as_text=True)
    assert editor.get("/events/no-such-event/edit").status_code == 404
    assert editor.get(f"/events/{slug}/sessions/424242/edit").status_code == 404
    assert _new_event(editor, "new", TODAY) != "new"  # /events/new stays the form


def test_registration_rules_consent_duplicates_and_withdrawing(app, res, editor):
    slug = _new_event(editor, "Consent day", TODAY)  # today still counts as upcoming
    visitor = app.test_client()
    person = {"name": "Jo Bloggs", "email": "jo@example.org", "organisation": "=HYPERLINK(\"http://x\")",
              "role": "+analyst"}
    response = visitor.post(f"/events/{slug}/register", data=person)
    assert response.status_code == 400 and "Confirm that we may contact you" in response.get_data(as_text=True)
    with smtp_server(app) as mailbox:
        assert visitor.post(f"/events/{slug}/register", data={**person, "consent": "y"}).status_code == 200
        again = visitor.post(f"/events/{slug}/register", data={**person, "email": "JO@example.org", "consent": "y"})
        assert again.status_code == 200 and "Registration received" in again.get_data(as_text=True)
        messages = mailbox.wait_for(1)
    assert len(messages) == 1  # the second registration neither adds a row nor fills an inbox
    with res.sessions() as session:
        assert len(list(session.scalars(select(Registration)))) == 1
    # The CSV neutralises cells a spreadsheet would run.
    rows = list(csv.reader(io.StringIO(editor.get(f"/events/{slug}/registrations.csv").get_data(as_text=True))))
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")" and rows[1][3] == "'+analyst"
    assert "jo@example.org" in editor.get(f"/events/{slug}/registrations").get_data(as_text=True)

    link = _path(re.search(r"(http\S+/events/withdraw/\S+)", body_of(messages[0])).group(1))
    confirm = visitor.get(link)
    assert confirm.status_code == 200 and "Withdraw my registration" in confirm.get_data(as_text=True)
    with res.sessions() as session:
        assert session.scalar(select(Registration)) is not None  # opening the link changes nothing
    done = visitor.post(link)
    assert done.status_code == 200 and "Registration withdrawn" in done.get_data(as_text=True)
    with res.sessions() as session:
        assert session.scalar(select(Registration)) is None
    assert visitor.get(link).status_code == 404
    assert visitor.get(link[:-3] + "abc").status_code == 404
    assert visitor.get("/events/withdraw/not-a-token").status_code == 404
    assert _audit(res, slug)[-2:] == ["registration_added", "registration_withdrawn"]


def test_registrations_are_deleted_after_the_kept_days(app, res, editor, runner):
    slug = _new_event(editor, "Soon over", TODAY + timedelta(days=1))
    other = _new_event(editor, "Later", TODAY + timedelta(days=60))
    for target in (slug, other):
        assert app.test_client().post(f"/events/{target}/register", data={
            "name": "Kit", "email": "kit@example.org", "consent": "y"}).status_code == 200
    app.config["REGISTRATIONS_KEEP_DAYS"] = 10
    kept = runner.invoke(args=["purge-registrations", "--today", (TODAY + timedelta(days=11)).isoformat()])
    assert kept.exit_code == 0 and "0 registration(s) deleted" in kept.output
    gone = runner.invoke(args=["purge-registrations", "--today", (TODAY + timedelta(days=12)).isoformat()])
    assert gone.exit_code == 0 and "1 registration(s) deleted" in gone.output, gone.output
    with res.sessions() as session:
        left = list(session.scalars(select(Registration)))
        assert [registration.event.slug for registration in left] == [other]
    assert _audit(res, slug)[-1] == "registrations_deleted"


def test_the_indexer_loop_deletes_old_registrations(app, res, editor):
    from repository.follower import Housekeeping
    from repository.models.base import utcnow

    slug = _new_event(editor, "Long ago", TODAY + timedelta(days=1))
    assert app.test_client().post(f"/events/{slug}/register", data={
        "name": "Kit", "email": "kit@example.org", "consent": "y"}).status_code == 200
    with res.sessions() as session:  # the event took place 40 days ago
        event = session.scalar(select(Event).where(Event.slug == slug))
        event.date = TODAY - timedelta(days=40)
        session.commit()
    Housekeeping(embargo_seconds=0, keep_changes_days=0, keep_registrations_days=30).run(
        res.sessions, utcnow().timestamp())
    with res.sessions() as session:
        assert session.scalar(select(Registration)) is None


def test_the_calendar_file_parses_back(app, editor):
    slug = _new_event(editor, "Seminar 10: Data, consent; and law", date(2027, 5, 4), end_date="2027-05-05",
                      venue="Town Hall, Room 2", place="Bradford",
                      description="Line one\nLine two with a very long sentence that keeps going to make sure "
                                  "the folding of lines at seventy-five octets happens — with non-ASCII ‘quotes’.")
    editor.post(f"/events/{slug}/sessions/new", data={"title": "Welcome", "starts_at": "09:30",
                                                      "speakers": "Ann Example, Example University"})
    response = app.test_client().get(f"/events/{slug}/calendar.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    raw = response.get_data()
    lines = raw.split(b"\r\n")
    assert raw.endswith(b"\r\n") and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    calendar = icalendar.Calendar.from_ical(raw)
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Seminar 10: Data, consent; and law"
    assert event.decoded("DTSTART") == date(2027, 5, 4) and event.decoded("DTEND") == date(2027, 5, 6)
    assert str(event["LOCATION"]) == "Town Hall, Room 2, Bradford"
    assert "‘quotes’" in str(event["DESCRIPTION"]) and "09:30 Welcome – Ann Example (Example University)" \
        in str(event["DESCRIPTION"])
    assert str(event["UID"]).startswith("event-") and "DTSTAMP" in event
    assert str(event["URL"]).endswith(f"/events/{slug}")
    assert app.test_client().get("/events/nothing-here/calendar.ics").status_code == 404


def test_hidden_items_leave_no_trace_on_event_pages(app, res, editor, make_item):
    slug = _new_event(editor, "Mixed", TODAY - timedelta(days=30))
    shown = make_item(title="Open talk notes")
    hidden = make_item(title="Secret refuge case", access="restricted")
    draft = make_item(title="Draft paper unseen", status="draft")
    editor.post(f"/events/{slug}/sessions/new", data={"title": "Talks", "items": f"{shown}, {hidden}, {draft}"})
    for client in (app.test_client(),):
        page = client.get(f"/events/{slug}").get_data(as_text=True)
        assert "Open talk notes" in page
        assert "Secret refuge case" not in page and f"/items/{hidden}" not in page
        assert "Draft paper unseen" not in page and f"/items/{draft}" not in page
        ics = client.get(f"/events/{slug}/calendar.ics").get_data(as_text=True)
        assert "Secret" not in ics and "Draft" not in ics
    assert "Secret refuge case" in editor.get(f"/events/{slug}").get_data(as_text=True)


def test_deposit_form_lists_site_events_newest_first(app, res, editor):
    _new_event(editor, "Older site event", date(2020, 1, 1))
    _new_event(editor, "Newer site event", date(2026, 1, 1))
    from repository.blueprints.describing import item_form

    with app.test_request_context(), res.sessions() as session:
        labels = [choice.label for choice in item_form(session, None, formdata=False).event.choices]
    assert labels.index("Newer site event") < labels.index("Older site event")


CSV_FILE = ",".join(COLUMNS) + """
imported-one,Imported seminar,2027-06-01,,Hall A,Leeds,Host,About it,Opening,09:30,10:00,"Ann Example, Uni A; Bo Lee",
imported-one,,,,,,,,Panel,10:15,,Cy Dee,
broken,Broken seminar,not-a-date,,,,,,,,,,
imported-two,Second imported,2027-07-01,2027-07-02,,,,,,,,,
"""


def test_csv_import_reports_bad_rows_and_is_idempotent(app, res, runner, tmp_path):
    source = tmp_path / "events.csv"
    source.write_text(CSV_FILE, encoding="utf-8")
    first = runner.invoke(args=["import-events", str(source)])
    assert first.exit_code == 1
    assert f"{source}:4: date 'not-a-date' is not a date like 2027-03-27" in first.output
    assert "2 event(s) created, 0 changed; 2 session(s) added, 0 changed; 1 problem(s)." in first.output
    again = runner.invoke(args=["import-events", str(source)])
    assert "0 event(s) created, 0 changed; 0 session(s) added, 0 changed; 1 problem(s)." in again.output
    with res.sessions() as session:
        event = session.scalar(select(Event).where(Event.slug == "imported-one"))
        parts = event_parts(session, event)
        assert [part.title for part in parts] == ["Opening", "Panel"]
        assert parts[0].speaker_list == [("Ann Example", "Uni A"), ("Bo Lee", "")]
        assert session.scalar(select(Event).where(Event.slug == "broken")) is None
    page = app.test_client().get("/events/imported-one").get_data(as_text=True)
    assert "Opening" in page and "Hall A" in page


def test_ingest_accepts_an_event_created_on_the_site(app, res, editor, runner, tmp_path):
    from .people import make_pdf

    slug = _new_event(editor, "Site-made seminar", TODAY - timedelta(days=1))
    folder = tmp_path / "pdfs"
    folder.mkdir()
    make_pdf(folder / "talk.pdf", ["A talk given at the site-made seminar about sharing records."],
             title="Site talk")
    result = runner.invoke(args=["ingest", str(folder), "--event", slug])
    assert result.exit_code == 0, result.output
    with res.sessions() as session:
        from repository.models import Item

        item = session.scalar(select(Item).where(Item.title == "Site talk"))
        assert item is not None and item.event.slug == slug


def test_every_seminar_form_needs_its_csrf_token(tmp_path):
    application = create_app({"TESTING": True, "SECRET_KEY": "t", "WTF_CSRF_ENABLED": True},
                             instance_path=tmp_path / "instance")
    with application.app_context():
        prepare_database()
        make_user(resources(), "ed@example.org", "editor")
    try:
        client = application.test_client()
        token = csrf_token(client.get("/account/sign-in").get_data(as_text=True))
        client.post("/account/sign-in", data={"email": "ed@example.org", "password": "correct horse battery",
                                              "csrf_token": token})
        assert client.post("/events/new", data={"name": "No token", "date": "2030-01-01"}).status_code == 400
        token = csrf_token(client.get("/events/new").get_data(as_text=True))
        created = client.post("/events/new", data={"name": "With token", "date": "2030-01-01", "csrf_token": token})
        assert created.status_code == 302
        slug = created.headers["Location"].split("/events/")[1].split("/")[0]
        for url in (f"/events/{slug}/edit", f"/events/{slug}/sessions/new"):
            assert client.post(url, data={"name": "x", "title": "x", "date": "2030-01-01"}).status_code == 400, url
        token = csrf_token(client.get(f"/events/{slug}/sessions/new").get_data(as_text=True))
        assert client.post(f"/events/{slug}/sessions/new", data={"title": "Kept", "csrf_token": token}
                           ).status_code == 302
        with application.extensions["repository"].sessions() as session:
            event = session.scalar(select(Event).where(Event.slug == slug))
            part_id = event_parts(session, event)[0].id
        assert client.post(f"/events/{slug}/sessions/{part_id}/remove").status_code == 400
        visitor = application.test_client()
        assert visitor.post(f"/events/{slug}/register", data={
            "name": "A", "email": "a@example.org", "consent": "y"}).status_code == 400
        token = csrf_token(visitor.get(f"/events/{slug}/register").get_data(as_text=True))
        assert visitor.post(f"/events/{slug}/register", data={
            "name": "A", "email": "a@example.org", "consent": "y", "csrf_token": token}).status_code == 200
        with application.extensions["repository"].sessions() as session:
            registration = session.scalar(select(Registration))
            link = f"/events/withdraw/{withdraw_token('t', registration)}"
        assert visitor.post(link).status_code == 400
        with application.extensions["repository"].sessions() as session:
            assert session.scalar(select(Registration)) is not None
            assert [part.title for part in event_parts(session, session.get(Event, event.id))] == ["Kept"]
        # With its token, the removal works.
        page = client.get(f"/events/{slug}/edit").get_data(as_text=True)
        assert client.post(f"/events/{slug}/sessions/{part_id}/remove",
                           data={"csrf_token": csrf_token(page)}).status_code == 302
        with application.extensions["repository"].sessions() as session:
            assert event_parts(session, session.get(Event, event.id)) == []
        assert "session_removed" in _audit(application.extensions["repository"], slug)
    finally:
        application.extensions["repository"].engine.dispose()


def test_the_demo_has_an_upcoming_seminar_and_programmes_that_show_their_papers(demo_app, demo_client):
    from repository.models import Item

    listing = demo_client.get("/events").get_data(as_text=True)
    upcoming, past = listing.split('id="past"', 1)
    assert "Seminar 9: Schools, early years and information sharing" in upcoming
    assert "Seminar 1: Families and information sharing" in past
    page = demo_client.get("/events/seminar-9-schools").get_data(as_text=True)
    assert "Register your interest" in page and "Operation Encompass in practice" in page
    with demo_app.app_context(), resources().sessions() as session:
        event = session.scalar(select(Event).where(Event.slug == "seminar-9-schools"))
        assert event.date > TODAY
        slides = session.scalar(select(Item).where(Item.type == "slides", Item.event_id.is_not(None)))
        slides_id, slides_event = slides.id, slides.event.slug
    item_page = demo_client.get(f"/items/{slides_id}").get_data(as_text=True)
    anchor = re.search(rf'href="/events/{slides_event}#(session-\d+)"', item_page).group(1)
    event_page = demo_client.get(f"/events/{slides_event}").get_data(as_text=True)
    assert f'href="/items/{slides_id}"' in event_page.split(f'id="{anchor}"', 1)[1].split('class="app-session"')[0]
