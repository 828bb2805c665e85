"""Read a PDF with pypdf, page by page; pages that are only a scanned picture go to OCR (worker side)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from indexer.extraction._worker import PAGE_TEXT_LIMIT, short

if TYPE_CHECKING:
    from indexer.extraction._worker import Output

_INFO_KEYS = {
    "/Title": "title",
    "/Author": "author",
    "/Subject": "subject",
    "/Keywords": "keywords",
    "/Creator": "creator",
    "/Producer": "producer",
    "/CreationDate": "creation_date",
}
_INFO_MAX = 2000
_PDF_DATE = re.compile(r"^(?:D:)?(\d{4})(\d{2})?(\d{2})?")
# A page with fewer letters than this and a picture on it is taken for a scan: a scanner
# may stamp a page number or a job name as text, and that is not a text layer.
_SCAN_LETTERS = 20


def read_pdf(output: Output, path: str) -> str | None:
    """Stream one PDF's pages to `output`; return a rejection reason or None."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not _open_without_password(reader):
            return "encrypted: a password is needed to open it"
        page_count = len(reader.pages)
    except MemoryError:
        raise
    except FileNotDecryptedError:
        return "encrypted: a password is needed to open it"
    except DependencyError as exc:
        return f"cannot read this PDF: {short(exc)}"
    except RecursionError:
        return "damaged PDF: its structure loops back on itself"
    except Exception as exc:  # pypdf raises many types, not all PyPdfError
        return f"damaged PDF: {short(exc)}"

    output.head("pdf", page_count, _read_info(reader))
    recogniser = None
    for number in range(1, min(page_count, output.max_pages) + 1):
        if output.full:
            break  # the parent reports the pages not read
        text, error = "", None
        # Font sizes on the first page tell the title apart from the rest (indexer.titles).
        runs: list[tuple[float, str]] | None = [] if number == 1 else None
        page = None
        try:
            page = reader.pages[number - 1]
            if runs is None:
                text = page.extract_text() or ""
            else:
                text = page.extract_text(visitor_text=_size_recorder(runs)) or ""
        except MemoryError:
            raise
        except RecursionError:
            error = "page structure loops back on itself"
        except Exception as exc:  # one bad page loses that page only
            error = short(exc)
        if error is None and page is not None and _looks_scanned(page, text):
            if recogniser is None:
                from indexer.extraction.ocr import Recogniser

                recogniser = Recogniser(output, path)
            recognised = recogniser.recognise(number, _page_points(page))
            if recognised is not None:
                output.page(recognised, runs=None, ocr=True)
                continue
        output.page(text, error=error, runs=runs)
    if recogniser is not None:
        recogniser.finish()
    return None


def _looks_scanned(page: Any, text: str) -> bool:
    """Return True for a page with (almost) no text and a picture on it."""
    if len(text) > 10 * _SCAN_LETTERS or sum(ch.isalpha() for ch in text) >= _SCAN_LETTERS:
        return False  # a text layer (the length test spares born-digital pages the count)
    try:
        return _has_image(page.get("/Resources"), depth=0)
    except Exception:  # damaged resources: treat the page as it reads
        return False


def _page_points(page: Any) -> float:
    """Return the longer side of the page in points (72 to the inch), or 0 if it cannot be read."""
    try:
        box = page.mediabox
        return float(max(abs(box.width), abs(box.height)))
    except Exception:
        return 0.0


def _has_image(resources: Any, depth: int) -> bool:
    """Return True if the resources hold an image, directly or in a form one level down."""
    resources = resources.get_object() if resources is not None else None
    objects = resources.get("/XObject") if resources else None
    objects = objects.get_object() if objects is not None else None
    for value in (objects or {}).values():
        item = value.get_object()
        kind = item.get("/Subtype")
        if kind == "/Image":
            return True
        if kind == "/Form" and depth < 1 and _has_image(item.get("/Resources"), depth + 1):
            return True
    return False


def _size_recorder(runs: list[tuple[float, str]]) -> Any:
    """Return a pypdf text visitor that appends (font size as drawn, text) to `runs`."""

    budget = [PAGE_TEXT_LIMIT]

    def record(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip() or len(runs) > 5000 or budget[0] <= 0:
            return
        budget[0] -= len(text)
        # The drawn size is the font size scaled by the text and current transformation matrices.
        a = tm[0] * cm[0] + tm[1] * cm[2]
        b = tm[0] * cm[1] + tm[1] * cm[3]
        c = tm[2] * cm[0] + tm[3] * cm[2]
        d = tm[2] * cm[1] + tm[3] * cm[3]
        drawn = round(abs(size) * abs(a * d - b * c) ** 0.5, 1)
        if runs and runs[-1][0] == drawn:
            runs[-1] = (drawn, runs[-1][1] + text)
        else:
            runs.append((drawn, text))

    return record


def _open_without_password(reader: Any) -> bool:
    """Try the empty user password: files locked only by an owner password open with it."""
    from pypdf import PasswordType

    return reader.decrypt("") != PasswordType.NOT_DECRYPTED


def _read_info(reader: Any) -> dict[str, str]:
    """Return the document information dictionary as short clean strings."""
    try:
        raw = reader.metadata
    except Exception:  # a damaged info dictionary is not worth a rejection
        return {}
    if not raw:
        return {}
    info: dict[str, str] = {}
    for key, name in _INFO_KEYS.items():
        try:
            value = raw.get(key)
            if value is None:
                continue
            value = value.get_object() if hasattr(value, "get_object") else value
            text = " ".join(str(value).replace("\x00", "").split())[:_INFO_MAX]
        except Exception:
            continue
        if name == "creation_date":
            text = iso_date(text)
        if text:
            info[name] = text
    return info


def iso_date(value: str) -> str:
    """Turn a PDF or ISO date such as D:20150312101500Z or 2015-03-12T10:15Z into 2015-03-12 (or 2015, or '')."""
    match = _PDF_DATE.match(value.strip().replace("-", ""))
    if not match:
        return ""
    year, month, day = match.groups()
    try:
        if month and day:
            return datetime(int(year), int(month), int(day)).date().isoformat()
    except ValueError:
        pass
    return year if 1900 <= int(year) <= 2100 else ""
