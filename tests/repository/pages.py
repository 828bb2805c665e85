"""Read the parts of a rendered page that tests check: results, facet counts, links, meta tags."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.results: list[int] = []
        self.meta: list[tuple[str, str]] = []
        self.links: list[tuple[str, str]] = []
        self._in_result_title = False
        self._link: list | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag.startswith("h") and "app-result__title" in classes:
            self._in_result_title = True
        if tag == "a":
            href = attributes.get("href") or ""
            if self._in_result_title:
                match = re.match(r"/items/(\d+)(?:\?|$)", href)
                if match:
                    self.results.append(int(match.group(1)))
            self._link = [href, ""]
        if tag == "meta" and attributes.get("name"):
            self.meta.append((attributes["name"], attributes.get("content") or ""))

    def handle_endtag(self, tag):
        if tag.startswith("h") and self._in_result_title:
            self._in_result_title = False
        if tag == "a" and self._link is not None:
            self.links.append((self._link[0], " ".join(self._link[1].split())))
            self._link = None

    def handle_data(self, data):
        if self._link is not None:
            self._link[1] += data


def parse(html: str) -> _Collector:
    """Return what the collector found in `html`."""
    collector = _Collector()
    collector.feed(html)
    return collector


def result_ids(html: str) -> list[int]:
    """Return the item ids of the results on a finder page, in order."""
    return parse(html).results


def total(html: str) -> int:
    """Return the results count in the finder's heading."""
    match = re.search(r'id="results-heading"[^>]*>([\d,]+) results?', html)
    assert match, "no results heading on the page"
    return int(match.group(1).replace(",", ""))


def facet_count(html: str, param: str, value: str) -> int | None:
    """Return the count next to a filter checkbox, or None when the value is not offered."""
    pattern = (rf'name="{re.escape(param)}" type="checkbox" value="{re.escape(value)}"[^>]*>\s*'
               rf'<label[^>]*>[^<]*<span class="app-count">\((\d+)\)</span>')
    match = re.search(pattern, html)
    return int(match.group(1)) if match else None


def is_checked(html: str, param: str, value: str) -> bool:
    """Return True when the filter checkbox is ticked."""
    match = re.search(rf'<input[^>]*name="{re.escape(param)}" type="checkbox" value="{re.escape(value)}"[^>]*>', html)
    return bool(match) and " checked" in match.group(0)


def links(html: str) -> list[tuple[str, str]]:
    """Return (href, text) of every link."""
    return [(unescape(href), text) for href, text in parse(html).links]


def meta_tags(html: str) -> list[tuple[str, str]]:
    """Return (name, content) of every named meta tag."""
    return parse(html).meta


def text_of(html: str) -> str:
    """Return the page's text with tags removed and spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())
