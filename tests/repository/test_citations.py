"""Citations: Highwire meta tags, and BibTeX and RIS that real parsers read back."""

from __future__ import annotations

from datetime import date

import bibtexparser
import rispy
from pylatexenc.latex2text import LatexNodes2Text

from .pages import meta_tags


def read_bibtex(text: str) -> list[dict]:
    """Parse BibTeX as reference managers do: entries by bibtexparser, LaTeX decoded by pylatexenc."""
    decode = LatexNodes2Text().latex_to_text
    return [{name: value if name.isupper() else decode(value) for name, value in entry.items()}
            for entry in bibtexparser.loads(text).entries]


TITLE = "Sharing data & {braces}: 100% of #1 cases_under_review at Café Nørd"
AUTHORS = ["Zoë Ó Briain", "Ann Example-Smith"]


def make_cited_item(make_item) -> int:
    return make_item(title=TITLE, authors=AUTHORS, year=2015, date=date(2015, 3, 12),
                     abstract="How a city shared\ninformation; with a line break.", themes=["domestic-abuse"],
                     licence="CC BY 4.0", pages=["Body text of the cited paper."])


def test_highwire_tags_describe_the_item(app, client, make_item):
    item_id = make_cited_item(make_item)
    tags = meta_tags(client.get(f"/items/{item_id}").get_data(as_text=True))
    values = {}
    for name, content in tags:
        values.setdefault(name, []).append(content)
    assert values["citation_title"] == [TITLE]
    assert values["citation_author"] == AUTHORS
    assert values["citation_publication_date"] == ["2015/03/12"]
    assert values["citation_pdf_url"] == [f"http://localhost/items/{item_id}/file.pdf"]
    assert values["citation_keywords"] == ["Domestic abuse"]


def test_bibtex_reads_back_to_the_same_record(app, client, make_item):
    item_id = make_cited_item(make_item)
    response = client.get(f"/items/{item_id}/citation.bib")
    assert response.status_code == 200 and response.mimetype == "application/x-bibtex"
    assert "attachment" in response.headers["Content-Disposition"]
    entries = read_bibtex(response.get_data(as_text=True))
    assert len(entries) == 1
    entry = entries[0]
    assert entry["ENTRYTYPE"] == "misc"
    assert entry["title"] == TITLE
    assert [name.strip() for name in entry["author"].split(" and ")] == AUTHORS
    assert entry["year"] == "2015"
    assert entry["month"].lower().startswith("mar")
    assert entry["url"] == f"http://localhost/items/{item_id}"


def test_ris_reads_back_to_the_same_record(app, client, make_item):
    item_id = make_cited_item(make_item)
    response = client.get(f"/items/{item_id}/citation.ris")
    assert response.status_code == 200
    records = rispy.loads(response.get_data(as_text=True))
    assert len(records) == 1
    record = records[0]
    assert record["title"] == TITLE
    assert record["authors"] == AUTHORS
    assert record["year"] == "2015"
    assert record["abstract"] == "How a city shared information; with a line break."
    assert record["keywords"] == ["Domestic abuse"]
    assert record["urls"] == [f"http://localhost/items/{item_id}"]
    assert record["file_attachments1"] == f"http://localhost/items/{item_id}/file.pdf"


def test_demo_citations_parse_for_every_type(demo_app, demo_client):
    from sqlalchemy import select

    from repository.context import resources
    from repository.models import Item

    with demo_app.app_context():
        with resources().sessions() as session:
            by_type = {}
            for item in session.scalars(select(Item).where(Item.access == "open").order_by(Item.id)):
                by_type.setdefault(item.type, (item.id, item.title, [a.name for a in item.authors]))
    assert len(by_type) >= 4
    for item_id, title, authors in by_type.values():
        entries = read_bibtex(demo_client.get(f"/items/{item_id}/citation.bib").get_data(as_text=True))
        assert len(entries) == 1 and " ".join(entries[0]["title"].split()) == title
        record = rispy.loads(demo_client.get(f"/items/{item_id}/citation.ris").get_data(as_text=True))[0]
        assert record["title"] == title and record["authors"] == authors


def test_a_seminar_paper_cites_its_seminar(demo_app, demo_client):
    from sqlalchemy import select

    from repository.context import resources
    from repository.models import Item

    with demo_app.app_context():
        with resources().sessions() as session:
            item = session.scalars(select(Item).where(Item.type == "paper", Item.event_id.is_not(None),
                                                      Item.access == "open")).first()
            item_id, event_name = item.id, item.event.name
    entry = read_bibtex(demo_client.get(f"/items/{item_id}/citation.bib").get_data(as_text=True))[0]
    assert entry["ENTRYTYPE"] == "inproceedings" and entry["booktitle"] == event_name
    record = rispy.loads(demo_client.get(f"/items/{item_id}/citation.ris").get_data(as_text=True))[0]
    assert record["type_of_reference"] == "CPAPER" and record["secondary_title"] == event_name
