"""OAI-PMH through a real harvester (oaipmh-scythe) against the app served on loopback."""

from __future__ import annotations

import time
from datetime import date

import pytest
from lxml import etree
from oaipmh_scythe import Scythe
from oaipmh_scythe.exceptions import BadResumptionToken, IdDoesNotExist, NoRecordsMatch

from repository import create_app
from repository.commands.database import prepare_database
from repository.context import resources
from repository.db import transaction
from repository.models import LICENCES, Item
from repository.services import moderation
from repository.services.accounts import get_user_by_email
from tests.browser import LiveServer
from tests.conftest import apply_changes

from .conftest import TEST_CONFIG
from .people import make_user

OAI = "{http://www.openarchives.org/OAI/2.0/}"


def _app(folder):
    """Return an app that pages OAI lists by three, so a small repository needs resumption tokens."""
    app = create_app({**TEST_CONFIG, "OAI_BATCH_SIZE": 3, "OAI_NAMESPACE": "exchange.example.org"},
                     instance_path=folder / "instance")
    with app.app_context():
        prepare_database()
        make_user(resources(), "editor@example.org", "editor")
    return app


def _item(app, **fields) -> int:
    from repository.services.items import AuthorData, ItemData, create_item

    fields.setdefault("year", 2015)
    with app.app_context(), transaction(resources().sessions) as session:
        item = create_item(session, ItemData(authors=[AuthorData("Ann Example")], **fields))
        item_id = item.id
    apply_changes(app.extensions["repository"])
    return item_id


def _withdraw(app, item_id: int) -> None:
    with app.app_context(), transaction(resources().sessions) as session:
        editor = get_user_by_email(session, "editor@example.org")
        moderation.withdraw(session, session.get(Item, item_id), editor, "Withdrawn at the author's request.")
    apply_changes(app.extensions["repository"])


def _collection(oai_app) -> dict[str, int]:
    """Add seven open items, one embargoed, one registered, one restricted, one draft, and two withdrawn."""
    ids = {f"open{n}": _item(oai_app, title=f"Open paper number {n}", themes=["domestic-abuse"],
                              places=["Blackpool" if n % 2 else "Leeds"], licence="CC-BY-4.0") for n in range(7)}
    ids["embargoed"] = _item(oai_app, title="An embargoed report", access="embargoed", embargo_until=date(2099, 1, 1))
    ids["registered"] = _item(oai_app, title="For members only", access="registered", places=["Grimsditch"])
    ids["restricted"] = _item(oai_app, title="Refuge referrals in Ostrapel", access="restricted",
                              places=["Ostrapel"], themes=["domestic-abuse"])
    ids["draft"] = _item(oai_app, title="Not finished", status="draft")
    ids["withdrawn"] = _item(oai_app, title="A paper later withdrawn")
    ids["withdrawn restricted"] = _item(oai_app, title="Hidden then withdrawn", access="restricted")
    _withdraw(oai_app, ids["withdrawn"])
    _withdraw(oai_app, ids["withdrawn restricted"])
    return ids


@pytest.fixture(scope="module")
def shared(tmp_path_factory):
    """One collection for the tests that only read."""
    app = _app(tmp_path_factory.mktemp("oai"))
    yield app, _collection(app)
    app.extensions["repository"].engine.dispose()


@pytest.fixture
def oai_app(shared):
    return shared[0]


@pytest.fixture
def collection(shared):
    return shared[1]


@pytest.fixture
def changing(tmp_path):
    """A collection of its own, for a test that changes it."""
    app = _app(tmp_path)
    yield app, _collection(app)
    app.extensions["repository"].engine.dispose()


def _local(identifier: str) -> int:
    return int(identifier.rsplit(":", 1)[1])


def test_a_real_harvester_gets_every_public_record_and_the_withdrawn_one_as_deleted(oai_app, collection):
    with LiveServer(oai_app) as server, Scythe(server.url + "/oai") as scythe:
        identify = scythe.identify()
        assert identify.deletedRecord == "persistent" and identify.granularity == "YYYY-MM-DDThh:mm:ssZ"
        records = list(scythe.list_records())
        headers = list(scythe.list_identifiers())

    live = {_local(r.header.identifier): r for r in records if not r.header.deleted}
    deleted = {_local(r.header.identifier) for r in records if r.header.deleted}
    public = {collection[f"open{n}"] for n in range(7)} | {collection["embargoed"]}
    assert set(live) == public  # 8 records over three pages of three
    assert deleted == {collection["withdrawn"]}  # the restricted one that was withdrawn was never public
    assert {_local(h.identifier) for h in headers} == public | deleted
    assert all(r.header.identifier.startswith("oai:exchange.example.org:") for r in records)

    paper = live[collection["open1"]].metadata
    assert paper["title"] == ["Open paper number 1"] and paper["creator"] == ["Ann Example"]
    assert paper["coverage"] == ["Blackpool"] and "Domestic abuse" in paper["subject"][0]
    assert paper["identifier"][0].endswith(f"/items/{collection['open1']}")
    assert "info:eu-repo/semantics/openAccess" in paper["rights"]
    assert LICENCES["CC-BY-4.0"] in paper["rights"]  # the licence by name, not its code
    assert "info:eu-repo/semantics/embargoedAccess" in live[collection["embargoed"]].metadata["rights"]
    assert "theme:domestic-abuse" in live[collection["open1"]].header.setSpecs


def test_sets_list_only_what_is_public_and_select_records(oai_app, collection):
    with LiveServer(oai_app) as server, Scythe(server.url + "/oai") as scythe:
        sets = {s.setSpec: s.setName for s in scythe.list_sets()}
        blackpool = [_local(r.header.identifier) for r in scythe.list_records(set_="place:blackpool")]
        themed = {_local(h.identifier) for h in scythe.list_identifiers(set_="theme")}
        with pytest.raises(NoRecordsMatch):
            list(scythe.list_records(set_="place:ostrapel"))
    assert sets["place:blackpool"] == "Place: Blackpool" and sets["theme:domestic-abuse"].startswith("Theme: ")
    assert "place:ostrapel" not in sets and "place:grimsditch" not in sets  # known only from hidden items
    assert sorted(blackpool) == sorted(collection[f"open{n}"] for n in range(7) if n % 2)
    assert themed == {collection[f"open{n}"] for n in range(7)}


def test_incremental_harvests_see_changes_and_deletions(changing):
    oai_app, collection = changing
    with LiveServer(oai_app) as server, Scythe(server.url + "/oai") as scythe:
        first = list(scythe.list_identifiers())
        stamp = max(h.datestamp for h in first)
        time.sleep(1.1)  # datestamps have whole seconds
        _withdraw(oai_app, collection["open3"])
        newer = _item(oai_app, title="Published after the first harvest")
        later = [h for h in scythe.list_identifiers(from_=stamp) if h.datestamp > stamp]
        record = scythe.get_record(identifier=f"oai:exchange.example.org:{collection['open3']}")
        with pytest.raises(IdDoesNotExist):
            scythe.get_record(identifier=f"oai:exchange.example.org:{collection['restricted']}")
        with pytest.raises(IdDoesNotExist):
            scythe.get_record(identifier="oai:exchange.example.org:99999")
    assert {(_local(h.identifier), h.deleted) for h in later} == {(collection["open3"], True), (newer, False)}
    assert record.header.deleted and not hasattr(record, "metadata")


def test_a_forged_or_damaged_resumption_token_is_refused(oai_app, collection):
    client = oai_app.test_client()
    first = etree.fromstring(client.get("/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").data)
    token = first.find(f".//{OAI}resumptionToken").text
    assert token
    second = client.get("/oai", query_string={"verb": "ListIdentifiers", "resumptionToken": token})
    assert second.status_code == 200 and len(etree.fromstring(second.data).findall(f".//{OAI}header")) == 3
    forged = token.replace("after%3D", "after%3D1")
    with LiveServer(oai_app) as server, Scythe(server.url + "/oai") as scythe:
        with pytest.raises(BadResumptionToken):
            list(scythe.list_identifiers(resumption_token=forged))
    for bad in (forged, "cursor%3D0%26metadataPrefix%3Doai_dc", "%%%", "x" * 3000, "cursor=1&foo=bar"):
        answer = client.get("/oai", query_string={"verb": "ListRecords", "resumptionToken": bad})
        assert answer.status_code == 400, bad
        assert b'code="badResumptionToken"' in answer.data or b'code="badArgument"' in answer.data


def _error(response) -> tuple[int, str]:
    tree = etree.fromstring(response.data)
    return response.status_code, tree.find(f"{OAI}error").get("code")


@pytest.mark.parametrize("query, status, code", [
    ("", 400, "badVerb"),
    ("verb=Dance", 400, "badVerb"),
    ("verb=Identify&verb=Identify", 400, "badVerb"),
    ("verb=ListRecords", 400, "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=oai_dc", 400, "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2015-13-40", 400, "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2016-01-01&until=2015-01-01", 400, "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2015-01-01&until=2016-01-01T00:00:00Z", 400, "badArgument"),
    ("verb=ListRecords&metadataPrefix=oai_dc&set=place%3A%25", 400, "badArgument"),
    ("verb=Identify&colour=blue", 400, "badArgument"),
    ("verb=GetRecord&identifier=oai%3Ax%3A1%01&metadataPrefix=oai_dc", 400, "badArgument"),
    ("verb=ListRecords&metadataPrefix=marc21", 400, "cannotDisseminateFormat"),
    ("verb=GetRecord&identifier=oai:exchange.example.org:9223372036854775808&metadataPrefix=oai_dc", 404,
     "idDoesNotExist"),
    ("verb=GetRecord&identifier=not-ours&metadataPrefix=oai_dc", 404, "idDoesNotExist"),
    ("verb=ListMetadataFormats&identifier=oai:exchange.example.org:424242", 404, "idDoesNotExist"),
    ("verb=ListRecords&metadataPrefix=oai_dc&from=2099-01-01", 200, "noRecordsMatch"),
])
def test_protocol_errors_have_their_codes(oai_app, collection, query, status, code):
    assert _error(oai_app.test_client().get("/oai?" + query)) == (status, code)


def test_post_requests_are_answered_like_get(oai_app, collection):
    client = oai_app.test_client()
    answer = client.post("/oai", data={"verb": "ListSets"})
    assert answer.status_code == 200 and answer.content_type.startswith("text/xml")
    assert b"<setSpec>place:blackpool</setSpec>" in answer.data


def test_text_that_xml_cannot_hold_is_dropped_not_fatal(tmp_path):
    oai_app = _app(tmp_path)
    item_id = _item(oai_app, title="Form\x0c feed\x01 in a title", abstract="Bell \x07 text")
    answer = oai_app.test_client().get(
        f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:exchange.example.org:{item_id}")
    assert answer.status_code == 200
    assert b"<dc:title>Form feed in a title</dc:title>" in answer.data


def test_changes_to_an_item_once_it_is_hidden_do_not_show_in_its_deleted_record(tmp_path):
    from repository.services.deposits import set_named_readers

    oai_app = _app(tmp_path)
    item_id = _item(oai_app, title="Open, then restricted")
    client = oai_app.test_client()
    url = f"/oai?verb=GetRecord&metadataPrefix=oai_dc&identifier=oai:exchange.example.org:{item_id}"
    assert b'status="deleted"' not in client.get(url).data  # harvested while open
    with oai_app.app_context(), transaction(resources().sessions) as session:
        session.get(Item, item_id).access = "restricted"
        from repository.services.changes import record_change

        record_change(session, [item_id], "edited")
    apply_changes(oai_app.extensions["repository"])
    deleted = etree.fromstring(client.get(url).data).find(f".//{OAI}header")
    assert deleted.get("status") == "deleted"
    stamp = deleted.findtext(f"{OAI}datestamp")
    time.sleep(1.1)
    make_user(oai_app.extensions["repository"], "named@example.org")
    with oai_app.app_context(), transaction(resources().sessions) as session:
        set_named_readers(session, session.get(Item, item_id), ["named@example.org"])
        session.get(Item, item_id).places = []
        from repository.services.changes import record_change

        record_change(session, [item_id], "edited")
    apply_changes(oai_app.extensions["repository"])
    again = etree.fromstring(client.get(url).data).find(f".//{OAI}header")
    assert again.get("status") == "deleted" and again.findtext(f"{OAI}datestamp") == stamp
