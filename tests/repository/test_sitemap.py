"""sitemap.xml and robots.txt, read as a crawler reads them."""

from __future__ import annotations

from lxml import etree

from repository.db import transaction
from repository.models import Item
from repository.services import moderation
from repository.services.accounts import get_user_by_email

from .people import make_user

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_the_sitemap_has_one_address_per_public_item(app, res, client, make_item):
    make_user(res, "editor@example.org", "editor")
    public = {make_item(title="Open paper"), make_item(title="Embargoed report", access="embargoed")}
    hidden = {make_item(title="Members only", access="registered"), make_item(title="Refuges", access="restricted"),
              make_item(title="A draft", status="draft")}
    gone = make_item(title="Withdrawn paper")
    with transaction(res.sessions) as session:
        moderation.withdraw(session, session.get(Item, gone), get_user_by_email(session, "editor@example.org"), "Old.")
    index = etree.fromstring(client.get("/sitemap.xml").data)
    [location] = [loc.text for loc in index.iter(f"{SM}loc")]
    assert location == "http://localhost/sitemaps/items-1.xml" and index.find(f".//{SM}lastmod") is not None
    urls = etree.fromstring(client.get("/sitemaps/items-1.xml").data)
    listed = {int(loc.text.rsplit("/", 1)[1]) for loc in urls.iter(f"{SM}loc")}
    assert listed == public and not listed & (hidden | {gone})
    assert all(len(stamp.text) == 20 and stamp.text.endswith("Z") for stamp in urls.iter(f"{SM}lastmod"))
    assert client.get("/sitemaps/items-2.xml").status_code == 404
    assert client.get("/sitemaps/items-0.xml").status_code == 404


def test_robots_txt_names_the_sitemap_and_keeps_crawlers_out_of_personal_pages(client):
    robots = client.get("/robots.txt")
    assert robots.content_type.startswith("text/plain")
    lines = robots.get_data(as_text=True).splitlines()
    assert "Sitemap: http://localhost/sitemap.xml" in lines
    for path in ("/account/", "/deposit/", "/moderation/", "/alerts/", "/copies/", "/search", "/api/"):
        assert f"Disallow: {path}" in lines
    assert "Disallow: /items/" not in lines  # item pages and their PDFs are what crawlers are for
