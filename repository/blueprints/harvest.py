"""What machines read: the OAI-PMH provider, the sitemap and robots.txt; all of it what anyone may see."""

from __future__ import annotations

from datetime import datetime
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, request, url_for
from sqlalchemy import func, select

from ..context import db_session
from ..models import Item, PublicRecord
from ..security import csrf
from ..services import exposure
from ..services.oai import OaiSettings, Provider, Repository, xml_text
from .items import file_url
from .templating import SERVICE_NAME

bp = Blueprint("harvest", __name__)

XML = "text/xml; charset=utf-8"
SITEMAP_URLS = 50_000  # the sitemap protocol's limit per file
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
MAX_ARGUMENT = 2000
# OAI-PMH puts its errors in the XML; the HTTP status says whose fault: a request a harvester
# got wrong is a 400 (an unknown record a 404), while "no records match" is a plain answer to a
# good question that incremental harvests meet every day, and common clients fail on any 4xx.
ERROR_STATUS = {"badVerb": 400, "badArgument": 400, "badResumptionToken": 400, "cannotDisseminateFormat": 400,
                "idDoesNotExist": 404, "noRecordsMatch": 200, "noMetadataFormats": 200, "noSetHierarchy": 200}


def oai_settings() -> OaiSettings:
    """Return the provider's settings for this request."""
    config = current_app.config
    admin = config.get("OAI_ADMIN_EMAIL") or config.get("MAIL_FROM") or "repository@localhost"
    return OaiSettings(
        name=SERVICE_NAME, base_url=url_for("harvest.oai", _external=True),
        namespace=config.get("OAI_NAMESPACE") or request.host.split(":")[0],
        admin_emails=[admin], secret=config["SECRET_KEY"], batch_size=int(config["OAI_BATCH_SIZE"]),
        item_url=lambda item_id: url_for("items.show", item_id=item_id, _external=True),
        file_url=lambda item: file_url(item, _external=True))


def _argument_problem(args) -> tuple[str, str] | None:
    """Return (error code, message) for arguments the library would not catch, or None."""
    for key in args:
        values = args.getlist(key)
        if len(values) > 1:
            return ("badVerb" if key == "verb" else "badArgument"), f"The argument '{xml_text(key)[:40]}' is repeated."
        if len(values[0]) > MAX_ARGUMENT or len(key) > 100 or xml_text(values[0]) != values[0] or xml_text(key) != key:
            return "badArgument", (f"The argument '{xml_text(key)[:40]}' is too long or holds characters "
                                   "XML cannot carry.")
    return None


@bp.route("/oai", methods=["GET", "POST"])
@csrf.exempt  # harvesters POST forms without cookies or tokens; the protocol only reads
def oai():
    """Answer an OAI-PMH 2.0 request (GET or POST)."""
    args = request.args if request.method == "GET" else request.form
    session = db_session()
    exposure.catch_up(session)
    session.commit()
    provider = Provider(Repository(session, oai_settings()))
    problem = _argument_problem(args)
    if problem:
        body, code = provider.error_document(*problem), problem[0]
    else:
        body = provider.handleRequest({key: args[key] for key in args})
        code = provider.error_code
    response = Response(body, status=ERROR_STATUS.get(code, 200) if code else 200, content_type=XML)
    response.headers["Cache-Control"] = "no-cache"
    return response


def _public_rows():
    return (select(PublicRecord.item_id, PublicRecord.datestamp)
            .join(Item, Item.id == PublicRecord.item_id)
            .where(PublicRecord.public, exposure.public_clause()))


@bp.get("/sitemap.xml")
def sitemap_index():
    """List the sitemaps of item pages (the protocol allows 50,000 addresses a file)."""
    session = db_session()
    exposure.catch_up(session)
    session.commit()
    count = session.scalar(select(func.count()).select_from(_public_rows().subquery())) or 0
    newest = session.scalar(select(func.max(PublicRecord.datestamp)).where(PublicRecord.public))
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="{SITEMAP_NS}">']
    for number in range(1, max(1, -(-count // SITEMAP_URLS)) + 1):
        parts.append(f"<sitemap><loc>{escape(url_for('harvest.sitemap', number=number, _external=True))}</loc>"
                     + (f"<lastmod>{_w3c(newest)}</lastmod>" if newest else "") + "</sitemap>")
    parts.append("</sitemapindex>\n")
    return Response("\n".join(parts), content_type=XML)


def _w3c(moment: datetime) -> str:
    return exposure.whole_second(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


@bp.get("/sitemaps/items-<int:number>.xml")
def sitemap(number: int):
    """List one item page per public item, with when its record last changed."""
    if not 1 <= number <= 10_000:
        return Response("No such sitemap.\n", status=404, content_type="text/plain; charset=utf-8")
    session = db_session()
    rows = session.execute(_public_rows().order_by(PublicRecord.item_id)
                           .offset((number - 1) * SITEMAP_URLS).limit(SITEMAP_URLS)).all()
    if not rows and number > 1:
        return Response("No such sitemap.\n", status=404, content_type="text/plain; charset=utf-8")
    parts = [f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="{SITEMAP_NS}">']
    parts += [f"<url><loc>{escape(url_for('items.show', item_id=item_id, _external=True))}</loc>"
              f"<lastmod>{_w3c(stamp)}</lastmod></url>" for item_id, stamp in rows]
    parts.append("</urlset>\n")
    return Response("\n".join(parts), content_type=XML)


@bp.get("/robots.txt")
def robots():
    """Let crawlers read item pages and files; keep them out of personal pages and endless searches."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in ("/account/", "/deposit/", "/moderation/", "/alerts/", "/copies/",
                                                "/reports/", "/search", "/api/", "/items/*/request-copy")]
    lines += ["Allow: /", "", f"Sitemap: {url_for('harvest.sitemap_index', _external=True)}", ""]
    return Response("\n".join(lines), content_type="text/plain; charset=utf-8")
