"""The OAI-PMH 2.0 data provider: what harvesters may know, as the `oaipmh` library's server wants it.

The library parses and checks arguments, writes the XML and names the errors; this
module answers each verb from the public records (`exposure`), so a harvester sees
exactly what an anonymous visitor may see, and a withdrawn record as deleted. Lists page
by item id after the last one sent, under an `until` frozen when the harvest began, so a
record that changes during a long harvest is neither skipped nor sent twice: it falls
outside this harvest and comes with the next incremental one. Resumption tokens are
signed, so a forged one is refused as badResumptionToken rather than obeyed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Callable
from urllib.parse import parse_qsl, quote, unquote, urlencode

from itsdangerous import BadSignature, Signer
from lxml import etree
from oaipmh import common, error
from oaipmh.datestamp import datestamp_to_datetime, datetime_to_datestamp
from oaipmh.metadata import MetadataRegistry
from oaipmh.server import ServerBase, oai_dc_writer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ..models import ITEM_TYPES, Event, Item, Place, PublicRecord, Theme
from ..models.base import as_utc, utcnow
from .access import can_read_text
from .citations import PUBLISHER
from .exposure import is_public, whole_second

SET_KINDS = {"type": "Type", "theme": "Theme", "seminar": "Seminar", "place": "Place"}
DC_FORMAT = ("oai_dc", "http://www.openarchives.org/OAI/2.0/oai_dc.xsd", "http://www.openarchives.org/OAI/2.0/oai_dc/")
RIGHTS = {"open": "info:eu-repo/semantics/openAccess", "embargoed": "info:eu-repo/semantics/embargoedAccess"}
# Characters XML 1.0 cannot carry; text extracted from PDFs sometimes has them.
_NOT_XML = re.compile("[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SET_SPEC = re.compile(r"^[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)?$")
_TOKEN_KEYS = {"metadataPrefix", "set", "from_", "until", "cursor", "after", "sig"}


def xml_text(value: object) -> str:
    """Return `value` as text XML can hold."""
    return _NOT_XML.sub("", str(value))


@dataclass
class OaiSettings:
    """What Identify says and how records link back to the site."""

    name: str
    base_url: str
    namespace: str  # the host part of oai:HOST:ID identifiers
    admin_emails: list[str]
    secret: str
    batch_size: int
    item_url: Callable[[int], str]
    file_url: Callable[[Item], str]


def _naive(moment: datetime) -> datetime:
    """Return a UTC moment without tzinfo, as the library writes datestamps."""
    return whole_second(moment).replace(tzinfo=None)


class Repository:
    """One request's view of the repository for OAI-PMH (ResumptionOAIPMH, as oaipmh's XML server calls it)."""

    def __init__(self, session: Session, settings: OaiSettings):
        self.session = session
        self.settings = settings
        self._signer = Signer(settings.secret, salt="oai-resumption-token")
        self._identify: common.Identify | None = None

    # --- identifiers and records -------------------------------------------------------------

    def identifier(self, item_id: int) -> str:
        """Return the OAI identifier of an item."""
        return f"oai:{self.settings.namespace}:{item_id}"

    def _item_id(self, identifier: str) -> int:
        prefix = f"oai:{self.settings.namespace}:"
        local = identifier[len(prefix):] if identifier.startswith(prefix) else ""
        if not local.isdigit() or len(local) > 15:
            raise error.IdDoesNotExistError(f"No record has the identifier '{xml_text(identifier)[:200]}'.")
        return int(local)

    def _header(self, row: PublicRecord, deleted: bool) -> common.Header:
        specs = row.set_specs.split()
        return common.Header(None, self.identifier(row.item_id), _naive(row.datestamp), specs, deleted)

    def _metadata(self, item: Item) -> common.Metadata:
        item_url = self.settings.item_url(item.id)
        values: dict[str, list[str]] = {
            "title": [item.title],
            "creator": [author.name for author in item.authors],
            "subject": [theme.name for theme in item.themes],
            "description": [text for text in (item.abstract, item.summary) if text],
            "publisher": [PUBLISHER],
            "date": [item.date.isoformat() if item.date else str(item.year)] if (item.date or item.year) else [],
            "type": ["Text", item.type_label],
            "format": ["application/pdf"] if item.current_file else [],
            "identifier": [item_url],
            "language": [item.language or "en"],
            "coverage": [place.name for place in item.places],
            "relation": [item.event.name] if item.event else [],
            "rights": [RIGHTS.get(item.access, item.access)] + ([item.licence_label] if item.licence else []),
        }
        if item.current_file is not None and can_read_text(None, item):
            values["identifier"].append(self.settings.file_url(item))
        return common.Metadata(None, {key: [xml_text(v) for v in vs] for key, vs in values.items()})

    def _records(self, rows: list[PublicRecord], with_metadata: bool) -> list:
        """Return (header, metadata, about) for rows, checking each live record against the database again."""
        items: dict[int, Item] = {}
        live = [row.item_id for row in rows if row.public]
        if live:
            query = (select(Item).where(Item.id.in_(live))
                     .options(selectinload(Item.authors), selectinload(Item.themes), selectinload(Item.places),
                              selectinload(Item.event), selectinload(Item.files), selectinload(Item.depositor)))
            items = {item.id: item for item in self.session.scalars(query)}
        out = []
        for row in rows:
            item = items.get(row.item_id)
            if row.public and is_public(item):
                out.append((self._header(row, False), self._metadata(item) if with_metadata else None, None))
            else:
                # Changed since the records were brought up to date: say no more than "deleted".
                out.append((self._header(row, True), None, None))
        return out

    # --- the verbs -----------------------------------------------------------------------------

    def identify(self, **_kw) -> common.Identify:
        """Describe the repository (the library asks for every response, so it is kept)."""
        if self._identify is not None:
            return self._identify
        earliest = self.session.scalar(select(func.min(PublicRecord.datestamp)).where(PublicRecord.exposed))
        self._identify = common.Identify(
            repositoryName=self.settings.name, baseURL=self.settings.base_url, protocolVersion="2.0",
            adminEmails=self.settings.admin_emails, earliestDatestamp=_naive(as_utc(earliest) or utcnow()),
            deletedRecord="persistent", granularity="YYYY-MM-DDThh:mm:ssZ", compression=["identity"],
            toolkit_description=False)
        return self._identify

    def listMetadataFormats(self, identifier: str | None = None, **_kw) -> list[tuple[str, str, str]]:
        """List oai_dc, for the repository or for one record."""
        if identifier is not None:
            self._row(identifier)
        return [DC_FORMAT]

    def _row(self, identifier: str) -> PublicRecord:
        row = self.session.get(PublicRecord, self._item_id(identifier))
        if row is None or not row.exposed:
            raise error.IdDoesNotExistError(f"No record has the identifier '{xml_text(identifier)[:200]}'.")
        return row

    def getRecord(self, metadataPrefix: str, identifier: str, **_kw):
        """Return one record (or its deleted header)."""
        self._check_prefix(metadataPrefix)
        return self._records([self._row(identifier)], True)[0]

    def listSets(self, resumptionToken: str | None = None, **_kw):
        """List the kinds of set and every set holding at least one public record (all in one answer)."""
        if resumptionToken is not None:
            raise error.BadResumptionTokenError("ListSets answers in one response; this token is not one of ours.")
        specs: set[str] = set()
        for stored in self.session.scalars(select(PublicRecord.set_specs).where(PublicRecord.public)):
            specs.update(stored.split())
        names = self._set_names(specs)
        sets = [(kind, f"{label}s", None) for kind, label in SET_KINDS.items()
                if any(spec.startswith(kind + ":") for spec in specs)]
        sets += [(spec, names[spec], None) for spec in sorted(specs) if spec in names]
        if not sets:
            raise error.NoSetHierarchyError("There are no sets until something is published.")
        return sets, None

    def _set_names(self, specs: set[str]) -> dict[str, str]:
        slugs: dict[str, list[str]] = {}
        for spec in specs:
            kind, _, value = spec.partition(":")
            slugs.setdefault(kind, []).append(value)
        names = {f"type:{value}": f"Type: {ITEM_TYPES.get(value, value)}" for value in slugs.get("type", [])}
        for kind, model in (("theme", Theme), ("seminar", Event), ("place", Place)):
            if slugs.get(kind):
                rows = self.session.execute(select(model.slug, model.name).where(model.slug.in_(slugs[kind])))
                for slug, name in rows:
                    names[f"{kind}:{slug}"] = f"{SET_KINDS[kind]}: {name}"
        return names

    def listIdentifiers(self, **kw):
        """Return a batch of headers and the token for the next."""
        return self._list(kw, with_metadata=False)

    def listRecords(self, **kw):
        """Return a batch of records and the token for the next."""
        return self._list(kw, with_metadata=True)

    # --- lists and their tokens ------------------------------------------------------------------

    def _check_prefix(self, prefix: str | None) -> None:
        if prefix != DC_FORMAT[0]:
            raise error.CannotDisseminateFormatError(
                f"The metadata format '{xml_text(prefix)[:60]}' is not offered here; ask for oai_dc.")

    def _list(self, kw: dict, *, with_metadata: bool):
        if "resumptionToken" in kw:
            query = self._decode(kw["resumptionToken"])
        else:
            query = {key: kw[key] for key in ("metadataPrefix", "set", "from_", "until") if kw.get(key) is not None}
            query["from_"] = as_utc(query.get("from_"))
            if query["from_"] and query.get("until") and query["from_"] > as_utc(query["until"]):
                raise error.BadArgumentError("'from' is later than 'until'.")
            # Frozen at the start, so the harvest is a snapshot: later changes come next time.
            query["until"] = as_utc(query.get("until")) or utcnow()
            query["cursor"], query["after"] = 0, 0
        self._check_prefix(query.get("metadataPrefix"))
        spec = query.get("set")
        if spec is not None and not _SET_SPEC.match(spec):
            raise error.BadArgumentError("'set' is not a set specification (see ListSets).")
        statement = select(PublicRecord).where(PublicRecord.exposed, PublicRecord.item_id > query["after"],
                                               PublicRecord.datestamp <= query["until"])
        if query.get("from_"):
            statement = statement.where(PublicRecord.datestamp >= query["from_"])
        if spec:
            wanted = f" {spec} " if ":" in spec else f" {spec}:"
            statement = statement.where(PublicRecord.set_specs.contains(wanted, autoescape=True))
        batch = self.settings.batch_size
        rows = list(self.session.scalars(statement.order_by(PublicRecord.item_id).limit(batch + 1)))
        token = None
        if len(rows) > batch:
            rows = rows[:batch]
            token = self._encode(query, cursor=query["cursor"] + batch, after=rows[-1].item_id)
        if not rows and query["cursor"] == 0:
            raise error.NoRecordsMatchError("No records match this request.")
        if token is None and query["cursor"] > 0:
            token = ""  # an empty token tells the harvester that this page completes the list
        records = self._records(rows, with_metadata)
        return (records if with_metadata else [header for header, _, _ in records]), token

    def _encode(self, query: dict, *, cursor: int, after: int) -> str:
        fields = {"metadataPrefix": query["metadataPrefix"]}
        if query.get("set"):
            fields["set"] = query["set"]
        if query.get("from_"):
            fields["from_"] = datetime_to_datestamp(_naive(query["from_"]))
        fields["until"] = datetime_to_datestamp(_naive(query["until"]))
        fields["cursor"], fields["after"] = str(cursor), str(after)
        payload = urlencode(fields)
        fields["sig"] = self._signer.get_signature(payload).decode()
        # Quoted once more, as the library's own token reader expects.
        return quote(urlencode(fields))

    def _decode(self, token: str) -> dict:
        bad = error.BadResumptionTokenError("This resumption token is not valid; start the list again.")
        try:
            pairs = parse_qsl(unquote(token), keep_blank_values=True, strict_parsing=True)
        except ValueError:
            raise bad from None
        fields = dict(pairs)
        if len(fields) != len(pairs) or not set(fields) <= _TOKEN_KEYS or "sig" not in fields:
            raise bad
        signature = fields.pop("sig")
        if not self._signer.verify_signature(urlencode(fields).encode(), signature.encode()):
            raise bad
        try:
            return {
                "metadataPrefix": fields["metadataPrefix"], "set": fields.get("set"),
                "from_": as_utc(datestamp_to_datetime(fields["from_"])) if "from_" in fields else None,
                "until": as_utc(datestamp_to_datetime(fields["until"])),
                "cursor": int(fields["cursor"]), "after": int(fields["after"]),
            }
        except (KeyError, ValueError, error.DatestampError, BadSignature):
            raise bad from None


def registry() -> MetadataRegistry:
    """Return the metadata writers this provider offers."""
    metadata = MetadataRegistry()
    metadata.registerWriter(DC_FORMAT[0], oai_dc_writer)
    return metadata


class Provider(ServerBase):
    """The library's XML server over one request's Repository, remembering the error it answered."""

    def __init__(self, repository: Repository):
        super().__init__(repository, registry())
        self.repository = repository
        self.error_code: str | None = None

    def handleException(self, kw, exc_info):
        """Answer a protocol error as the library does; let anything else reach the app's error handling."""
        if isinstance(exc_info[1], error.ErrorBase):
            self.error_code = exc_info[1].oainame()
        return super().handleException(kw, exc_info)

    def error_document(self, code: str, message: str) -> bytes:
        """Return an OAI-PMH error response for an error found before the library saw the request."""
        self.error_code = code
        tree = self._tree_server._outputErrors([(code, message)])
        return etree.tostring(tree.getroot(), encoding="UTF-8", xml_declaration=True, pretty_print=True)
