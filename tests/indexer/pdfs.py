"""Write small PDFs (and things that are not PDFs) for the extraction tests."""

from __future__ import annotations

import io
import zlib
from datetime import datetime, timezone
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import EncryptionMethod


def _document(pages: list[str], info: dict[str, str] | None = None) -> FPDF:
    pdf = FPDF()
    pdf.set_font("Helvetica", size=11)
    info = info or {}
    if "title" in info:
        pdf.set_title(info["title"])
    if "author" in info:
        pdf.set_author(info["author"])
    if "subject" in info:
        pdf.set_subject(info["subject"])
    if "keywords" in info:
        pdf.set_keywords(info["keywords"])
    pdf.set_creation_date(datetime(2015, 3, 12, 10, 0, tzinfo=timezone.utc))
    for text in pages:
        pdf.add_page()
        for line in text.split("\n"):
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
    return pdf


def text_pdf(path: Path, pages: list[str], **info: str) -> Path:
    """Write a PDF with one page per string (lines split on newlines) and optional info fields."""
    _document(pages, info).output(str(path))
    return path


def encrypted_pdf(path: Path, text: str, *, user_password: str, owner_password: str = "owner-secret",
                  method: EncryptionMethod = EncryptionMethod.AES_128) -> Path:
    """Write a one-page PDF encrypted with the given passwords ('' opens without asking)."""
    pdf = _document([text])
    pdf.set_encryption(owner_password=owner_password, user_password=user_password,
                       encryption_method=method)
    pdf.output(str(path))
    return path


def image_only_pdf(path: Path, pages: int = 2) -> Path:
    """Write a PDF whose pages hold only a picture, like a scan: no text layer at all."""
    from PIL import Image, ImageDraw

    picture = Image.new("RGB", (300, 200), "white")
    draw = ImageDraw.Draw(picture)
    draw.rectangle((20, 20, 280, 180), outline="black", width=4)
    draw.line((20, 20, 280, 180), fill="black", width=3)
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        buffer.seek(0)
        pdf.image(buffer, x=20, y=20, w=150)
    pdf.output(str(path))
    return path


def truncated_pdf(path: Path, keep: float = 0.4) -> Path:
    """Write a multi-page text PDF and cut it short, losing its cross-reference table."""
    data = bytes(_document([f"Page {n} of a report that never arrived whole." for n in range(1, 6)]).output())
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def garbage_pdf(path: Path) -> Path:
    """Write a file that starts like a PDF and then holds nothing a parser can use."""
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20)
    return path


def raw_pdf(pages: list[bytes], *, compress: bool = False) -> bytes:
    """Build a minimal PDF by hand from raw content streams, one per page (Helvetica as /F1)."""
    count = len(pages)
    font_id = 3 + 2 * count
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count %d >>"
        % (b" ".join(b"%d 0 R" % (3 + 2 * i) for i in range(count)), count),
    ]
    for i, content in enumerate(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (font_id, 4 + 2 * i)
        )
        data, extra = (zlib.compress(content, 9), b" /Filter /FlateDecode") if compress else (content, b"")
        objects.append(b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(data), extra, data))
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def text_content(line: str) -> bytes:
    """Return a content stream that shows one line of (ASCII) text."""
    escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return b"BT /F1 12 Tf 72 700 Td (%s) Tj ET" % escaped.encode("ascii")


def slow_content(operations: int = 60_000) -> bytes:
    """Return a page content stream with so many text operations that pypdf takes seconds on it."""
    return b"BT /F1 10 Tf 72 700 Td " + b"(word) Tj 5 -1 Td " * operations + b"ET"


def styled_pdf(path: Path, blocks: list[tuple[float, str]], *, more_pages: list[str] = (), **info: str) -> Path:
    """Write a PDF whose first page has (font size, text) blocks in order, like a cover or a paper."""
    pdf = FPDF()
    pdf.set_creation_date(datetime(2025, 6, 1, tzinfo=timezone.utc))
    for key, value in info.items():
        getattr(pdf, f"set_{key}")(value)
    pdf.add_page()
    for size, text in blocks:
        pdf.set_font("Helvetica", size=size)
        for line in text.split("\n"):
            pdf.multi_cell(0, size * 0.5, line, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(size * 0.3)
    for text in more_pages:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path
