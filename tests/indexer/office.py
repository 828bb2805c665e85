"""Write Word, OpenDocument and PowerPoint files, scans and hostile containers for the extraction tests.

Every file is made here from this project's own text, with the writing libraries
(python-docx, odfpy, python-pptx, fpdf2 and Pillow) or, for legacy Word, by hand.
"""

from __future__ import annotations

import io
import struct
import zipfile
from datetime import datetime
from pathlib import Path


def word_docx(path: Path, paragraphs: list[str], *, title: str | None = None, author: str | None = None,
              header: str | None = None, footer: str | None = None, table: list[list[str]] | None = None,
              heading: str | None = None, created: datetime | None = None) -> Path:
    """Write a .docx: an optional Title-styled heading, paragraphs, a table, header and footer."""
    import docx

    document = docx.Document()
    properties = document.core_properties
    properties.title = title or ""
    properties.author = author or ""
    if created:
        properties.created = created
    if header:
        document.sections[0].header.paragraphs[0].text = header
    if footer:
        document.sections[0].footer.paragraphs[0].text = footer
    if heading:
        document.add_paragraph(heading, style="Title")
    for text in paragraphs:
        document.add_paragraph(text)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


def slides_pptx(path: Path, slides: list[tuple[str, str, str]], *, title: str | None = None,
                author: str | None = None) -> Path:
    """Write a .pptx with one (title, body, speaker notes) per slide."""
    from pptx import Presentation

    deck = Presentation()
    deck.core_properties.title = title or ""
    deck.core_properties.author = author or ""
    layout = deck.slide_layouts[1]  # "Title and Content"
    for heading, body, notes in slides:
        slide = deck.slides.add_slide(layout)
        slide.shapes.title.text = heading
        slide.placeholders[1].text = body
        if notes:
            slide.notes_slide.notes_text_frame.text = notes
    deck.save(str(path))
    return path


def opendocument_odt(path: Path, heading: str, paragraphs: list[str], *, title: str | None = None,
                     author: str | None = None) -> Path:
    """Write an .odt with a level-1 heading, paragraphs and metadata."""
    from odf import dc
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    if title:
        document.meta.addElement(dc.Title(text=title))
    if author:
        document.meta.addElement(dc.Creator(text=author))
    document.text.addElement(H(outlinelevel=1, text=heading))
    for text in paragraphs:
        document.text.addElement(P(text=text))
    document.save(str(path))
    return path


def scanned_pdf(path: Path, pages: list[str], *, page_mm: float = 210) -> Path:
    """Render each page's lines of text to a picture and write an image-only PDF, like a scanner does."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.load_default(size=34)  # Pillow's own TrueType font: no system font needed
    pdf = FPDF(format=(page_mm, page_mm * 297 / 210))
    for text in pages:
        picture = Image.new("L", (1700, 2200), 255)  # A4-ish at 200 dpi
        draw = ImageDraw.Draw(picture)
        y = 150
        for line in text.split("\n"):
            draw.text((150, y), line, fill=0, font=font)
            y += 56
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        pdf.add_page()
        buffer.seek(0)
        pdf.image(buffer, x=0, y=0, w=page_mm)
    pdf.output(str(path))
    return path


def zip_bomb(path: Path, *, megabytes: int = 40) -> Path:
    """Write a .docx-shaped archive whose document part unpacks to `megabytes` of zeros (about 1,000 : 1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES % b"application/vnd.openxmlformats-officedocument."
                         b"wordprocessingml.document.main+xml")
        with archive.open("word/document.xml", "w", force_zip64=True) as part:
            block = b"\0" * 2**20
            for _ in range(megabytes):
                part.write(block)
    return path


def with_macros(source: Path, path: Path) -> Path:
    """Copy a .docx and add a VBA project, as Word does for a macro-enabled (.docm) file."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in original.infolist():
            data = original.read(item)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                                    b"application/vnd.ms-word.document.macroEnabled.main+xml")
            archive.writestr(item, data)
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0" + b"Attribute VB_Name = \"AutoOpen\"" * 10)
    return path


def spreadsheet_xlsx(path: Path) -> Path:
    """Write a minimal Excel-shaped archive (content types and a workbook part)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES % b"application/vnd.openxmlformats-officedocument."
                         b"spreadsheetml.sheet.main+xml")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
    return path


_CONTENT_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                  b'package/2006/content-types"><Override PartName="/main.xml" ContentType="%s"/></Types>')


def legacy_doc(path: Path, text: str, *, title: str = "", author: str = "") -> Path:
    """Write a Word 97 binary (.doc) holding `text` (ASCII), built by hand as an OLE compound file.

    Just what readers need: a File Information Block, the text as one 8-bit piece, a piece
    table and an (empty) style sheet in the 1Table stream, and a summary-information stream
    with title and author. Without the style sheet antiword reads memory it never set, and
    gives the text only some of the time.
    """
    body = text.replace("\n", "\r").encode("cp1252") + b"\r"
    fib = bytearray(1472)
    struct.pack_into("<HHHHH", fib, 0, 0xA5EC, 0x00C1, 0, 0x0409, 0)
    struct.pack_into("<H", fib, 10, 0x0200)  # fWhichTblStm: the table is in 1Table
    struct.pack_into("<H", fib, 32, 14)  # csw
    struct.pack_into("<H", fib, 62, 22)  # cslw
    text_start = 1536
    struct.pack_into("<ii", fib, 64, text_start + len(body), 0)  # cbMac
    struct.pack_into("<i", fib, 76, len(body))  # ccpText
    struct.pack_into("<H", fib, 152, 93)  # cbRgFcLcb: the Word 97 size
    word_stream = bytes(fib) + b"\0" * (text_start - len(fib)) + body
    # The piece table: one piece of 8-bit text at text_start ("compressed": fc * 2 | 0x40000000).
    plcpcd = struct.pack("<ii", 0, len(body)) + struct.pack("<HIH", 0, (text_start * 2) | 0x40000000, 0)
    clx = b"\x02" + struct.pack("<I", len(plcpcd)) + plcpcd
    # The style sheet: a header (15 styles, 10-byte base) and 15 empty style entries.
    stshi = struct.pack("<HH", 15, 10) + b"\0" * 14
    stsh = struct.pack("<H", len(stshi)) + stshi + b"\0\0" * 15
    table_stream = clx + stsh
    word = bytearray(word_stream)
    fc_lcb = 154  # fibRgFcLcb starts here; fcStshf is its pair 1, fcClx its pair 33
    struct.pack_into("<II", word, fc_lcb + 33 * 8, 0, len(clx))
    struct.pack_into("<II", word, fc_lcb + 1 * 8, len(clx), len(stsh))
    summary = _summary_information(title, author)
    _write_compound(path, {"WordDocument": bytes(word), "1Table": table_stream,
                           "\x05SummaryInformation": summary})
    return path


def legacy_powerpoint(path: Path) -> Path:
    """Write an OLE compound file shaped like an old PowerPoint file (.ppt): its main stream, no WordDocument."""
    _write_compound(path, {"PowerPoint Document": b"\0" * 600, "\x05SummaryInformation": _summary_information("", "")})
    return path


def _summary_information(title: str, author: str) -> bytes:
    """Return a SummaryInformation property set with a code page, title and author."""
    props = [(1, 2, struct.pack("<h", 1252) + b"\0\0")]
    for pid, value in ((2, title), (4, author)):
        raw = value.encode("cp1252") + b"\0"
        raw += b"\0" * (-len(raw) % 4)
        props.append((pid, 30, struct.pack("<I", len(value) + 1) + raw))
    header_size = 8 + 8 * len(props)
    offsets, blobs, position = [], b"", header_size
    for pid, kind, data in props:
        offsets.append((pid, position))
        blobs += struct.pack("<I", kind) + data
        position += 4 + len(data)
    section = struct.pack("<II", position, len(props)) + b"".join(struct.pack("<II", p, o) for p, o in offsets) + blobs
    fmtid = bytes.fromhex("e0859ff2f94f6810ab9108002b27b3d9")
    return (struct.pack("<HHI", 0xFFFE, 0, 0x00020006) + b"\0" * 16 + struct.pack("<I", 1)
            + fmtid + struct.pack("<I", 48) + section)


def _write_compound(path: Path, streams: dict[str, bytes]) -> None:
    """Write an OLE compound file (version 3, 512-byte sectors) holding `streams` in its root.

    Every stream is padded to at least 4,096 bytes so it lives in ordinary sectors, not the
    mini stream, which keeps this writer short.
    """
    sector = 512
    names = list(streams)
    data = {name: streams[name] + b"\0" * (max(4096, -(-len(streams[name]) // sector) * sector) - len(streams[name]))
            for name in names}
    chains: dict[str, tuple[int, int]] = {}
    next_sector = 0
    for name in names:
        count = len(data[name]) // sector
        chains[name] = (next_sector, count)
        next_sector += count
    directory_sector = next_sector
    fat_sector = directory_sector + 1
    total = fat_sector + 1
    fat = [0xFFFFFFFF] * (sector // 4)
    for name in names:
        start, count = chains[name]
        for i in range(count):
            fat[start + i] = start + i + 1 if i < count - 1 else 0xFFFFFFFE
    fat[directory_sector] = 0xFFFFFFFE
    fat[fat_sector] = 0xFFFFFFFD  # a FAT sector
    assert total <= sector // 4

    def entry(name: str, kind: int, start: int, size: int, left: int = -1, right: int = -1, child: int = -1) -> bytes:
        encoded = name.encode("utf-16-le") + b"\0\0"
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<iii", left, right, child) + b"\0" * 16 + b"\0" * 4 + b"\0" * 16
                + struct.pack("<iI", start, size) + b"\0" * 4)

    # The root's children form a red-black tree; all black, each entry's right sibling the next.
    entries = [entry("Root Entry", 5, -2, 0, child=1)]
    for index, name in enumerate(names, start=1):
        start, _ = chains[name]
        # The padded size: a stream declared under 4,096 bytes would be looked for in the mini stream.
        entries.append(entry(name, 2, start, len(data[name]), right=index + 1 if index < len(names) else -1))
    directory = b"".join(entries).ljust(sector, b"\0")
    header = bytearray(sector)
    header[0:8] = bytes.fromhex("d0cf11e0a1b11ae1")
    struct.pack_into("<HHHHH", header, 24, 0x003E, 0x0003, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)  # number of FAT sectors
    struct.pack_into("<I", header, 48, directory_sector)
    struct.pack_into("<I", header, 56, 4096)  # mini stream cutoff
    struct.pack_into("<iI", header, 60, -2, 0)  # no mini FAT
    struct.pack_into("<iI", header, 68, -2, 0)  # no DIFAT sectors
    difat = [fat_sector] + [0xFFFFFFFF] * 108
    struct.pack_into("<109I", header, 76, *difat)
    body = b"".join(data[name] for name in names) + directory + struct.pack(f"<{len(fat)}I", *fat)
    path.write_bytes(bytes(header) + body)
