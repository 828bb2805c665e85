"""Home and browse pages list exactly the items the reader may see."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from repository.context import resources
from repository.models import Event, Item, Place, Theme
from tests.conftest import apply_changes

from .pages import links, result_ids, text_of, total


def visible(app) -> list[Item]:
    """Return the items an anonymous reader may see, with their relations loaded."""
    with app.app_context():
        with resources().sessions() as session:
            return list(session.scalars(
                select(Item).where(Item.status == "published", Item.access.in_(["open", "embargoed"]))
                .options(selectinload(Item.themes).selectinload(Theme.parent), selectinload(Item.places),
                         selectinload(Item.event), selectinload(Item.authors))))


def theme_slugs(item: Item) -> set[str]:
    return {ancestor.slug for theme in item.themes for ancestor in theme.lineage()}


def all_result_ids(client, path: str) -> list[int]:
    """Return the result ids over every page of a finder page."""
    ids, page = [], 1
    while True:
        html = client.get(path, query_string={"page": page}).get_data(as_text=True)
        found = result_ids(html)
        if not found:
            return ids
        ids += found
        if len(ids) >= total(html):
            return ids
        page += 1


def test_home_explains_offers_search_themes_newest_and_case_studies(demo_app, demo_client):
    items = visible(demo_app)
    html = demo_client.get("/").get_data(as_text=True)
    assert 'action="/search"' in html and 'name="q"' in html
    text = text_of(html)
    assert "seminar series" in text
    families = sum(1 for item in items if "families" in theme_slugs(item))
    assert f"Families ({families})" in text
    # Most recently added first (when each joined the repository, not the year it was written).
    newest = max(items, key=lambda item: (item.published_at or item.created_at, item.id))
    newest_block = html.split("Recently added</h2>", 1)[1].split("Recently added case studies", 1)[0]
    assert f'href="/items/{newest.id}"' in newest_block
    case_block = html.split("Recently added case studies", 1)[1]
    case_ids = {int(href.rsplit("/", 1)[1]) for href, _ in links(case_block) if href.startswith("/items/")}
    by_id = {item.id: item for item in items}
    assert case_ids and all(by_id[i].type == "case_study" for i in case_ids)


def test_the_theme_index_shows_the_tree_with_counts(demo_app, demo_client):
    html = demo_client.get("/themes").get_data(as_text=True)
    hrefs = {href for href, _ in links(html)}
    assert {"/themes/families", "/themes/troubled-families", "/themes/domestic-abuse"} <= hrefs


def test_a_theme_page_lists_the_items_in_it_and_its_sub_themes(demo_app, demo_client):
    expected = {item.id for item in visible(demo_app) if "families" in theme_slugs(item)}
    html = demo_client.get("/themes/families").get_data(as_text=True)
    text = text_of(html)
    assert "Families" in text and "how families see themselves" in text.lower()
    assert "/themes/troubled-families" in {href for href, _ in links(html)}
    assert set(all_result_ids(demo_client, "/themes/families")) == expected
    # The page's own filters narrow within the theme.
    narrowed = demo_client.get("/themes/families", query_string={"type": "case_study"}).get_data(as_text=True)
    by_id = {item.id: item for item in visible(demo_app)}
    assert 0 < total(narrowed) < len(expected)
    assert all(by_id[i].type == "case_study" and i in expected for i in result_ids(narrowed))


def test_a_place_page_lists_the_items_about_the_place(demo_app, demo_client):
    items = visible(demo_app)
    expected = {item.id for item in items if any(place.slug == "leeds" for place in item.places)}
    assert expected
    html = demo_client.get("/places/leeds").get_data(as_text=True)
    assert "<h1 class=\"govuk-heading-xl\">Leeds</h1>" in html
    assert set(all_result_ids(demo_client, "/places/leeds")) == expected


def test_the_place_index_lists_places_with_items(demo_app, demo_client):
    html = demo_client.get("/places").get_data(as_text=True)
    with demo_app.app_context():
        with resources().sessions() as session:
            places = list(session.scalars(select(Place)))
    used = {place.slug for item in visible(demo_app) for place in item.places}
    hrefs = {href for href, _ in links(html)}
    assert {f"/places/{slug}" for slug in used} == {h for h in hrefs if h.startswith("/places/")}
    assert len(places) >= len(used) > 3


def test_an_event_page_shows_the_seminar_and_its_items(demo_app, demo_client):
    with demo_app.app_context():
        with resources().sessions() as session:
            event = session.scalars(select(Event).options(selectinload(Event.place)).order_by(Event.date)).first()
    expected = {item.id for item in visible(demo_app) if item.event and item.event.slug == event.slug}
    assert expected
    html = demo_client.get(f"/events/{event.slug}").get_data(as_text=True)
    text = text_of(html)
    assert event.name in text and f"{event.date.day} {event.date.strftime('%B %Y')}" in text
    if event.host:
        assert event.host in text
    if event.place:
        assert f"/places/{event.place.slug}" in {href for href, _ in links(html)}
    assert set(all_result_ids(demo_client, f"/events/{event.slug}")) == expected
    assert f"/events/{event.slug}" in {href for href, _ in links(demo_client.get("/events").get_data(as_text=True))}


def test_author_and_year_pages(demo_app, demo_client):
    items = visible(demo_app)
    name = items[0].authors[0].name
    index = demo_client.get("/authors").get_data(as_text=True)
    author_links = [href for href, text in links(index) if text == name]
    assert len(author_links) == 1
    expected = {item.id for item in items if name in [a.name for a in item.authors]}
    assert set(all_result_ids(demo_client, author_links[0])) == expected

    year = items[0].year
    assert f"/years/{year}" in {href for href, _ in links(demo_client.get("/years").get_data(as_text=True))}
    assert set(all_result_ids(demo_client, f"/years/{year}")) == {item.id for item in items if item.year == year}


def test_unknown_browse_addresses_are_404(demo_client):
    for path in ("/themes/no-such-theme", "/places/atlantis", "/events/seminar-99", "/authors/Nobody%20Atall",
                 "/years/99999"):
        assert demo_client.get(path).status_code == 404, path


def test_browse_pages_do_not_count_or_name_hidden_items(app, client, make_item):
    make_item(title="Open paper", themes=["families"], places=["Openshire"], authors=["Open Author"])
    make_item(title="Restricted case", access="restricted", themes=["domestic-abuse"], places=["Hiddenville"],
              authors=["Secret Author"], type="case_study")
    home = text_of(client.get("/").get_data(as_text=True))
    assert "Families (1)" in home and "Domestic abuse (0)" in home and "Restricted case" not in home
    assert "Hiddenville" not in client.get("/places").get_data(as_text=True)
    assert client.get("/places/hiddenville").status_code == 404
    assert client.get("/places/openshire").status_code == 200
    assert "Secret Author" not in client.get("/authors").get_data(as_text=True)
    assert client.get("/authors/Secret Author").status_code == 404
    theme = client.get("/themes/domestic-abuse").get_data(as_text=True)
    assert total(theme) == 0 and "Restricted case" not in theme


def test_author_and_place_indexes_list_everything_visible_beyond_the_facet_limit(app, client):
    from indexer.search import FACET_LIMIT
    from repository.db import transaction
    from repository.services.items import AuthorData, ItemData, create_item

    names = [f"Author Number{i:03d}" for i in range(FACET_LIMIT + 5)]
    with app.app_context():
        res = resources()
        with transaction(res.sessions) as session:
            ids = [create_item(session, ItemData(title=f"Paper {name}", authors=[AuthorData(name)], year=2015,
                                                 places=[f"Town {i:03d}"])).id
                   for i, name in enumerate(names)]
            ids.append(create_item(session, ItemData(title="Hidden", authors=[AuthorData("Hidden Writer")],
                                                     places=["Secret Town"], access="restricted", year=2015)).id)
    apply_changes(app.extensions["repository"])
    html = client.get("/authors").get_data(as_text=True)
    listed = [text for href, text in links(html) if href.startswith("/authors/")]
    assert listed == names
    assert "Hidden Writer" not in html
    places = client.get("/places").get_data(as_text=True)
    listed = [href for href, _ in links(places) if href.startswith("/places/")]
    assert listed == [f"/places/town-{i:03d}" for i in range(len(names))]
    assert "Secret Town" not in places


def test_places_index_groups_demo_places_by_region(demo_client):
    page = demo_client.get("/places").get_data(as_text=True)
    assert "Region not recorded" not in page
    for region, place in (("North West", "Blackpool"), ("Yorkshire and The Humber", "Leeds"), ("London", "Camden")):
        assert region in page and place in page
    assert page.index("North West") < page.index("Blackpool") < page.index("Stockport")


def test_the_theme_tree_is_read_in_one_query(app, res):
    from sqlalchemy import event

    from repository.services.browse import theme_tree

    statements = []

    def count(_connection, _cursor, statement, *_args):
        statements.append(statement)

    with res.sessions() as session:
        event.listen(res.engine, "before_cursor_execute", count)
        try:
            tree = theme_tree(session, {})
        finally:
            event.remove(res.engine, "before_cursor_execute", count)
    assert len(statements) == 1, statements
    assert tree and any(node.children for node in tree)
