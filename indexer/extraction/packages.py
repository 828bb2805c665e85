"""Check a ZIP-based document before any parser opens it, then hand it to its reader (worker side).

Word (.docx), PowerPoint (.pptx) and OpenDocument (.odt) files are ZIP archives of XML.
What the archive's directory declares is checked first: a ZIP bomb (parts that would
unpack to far more than any real document), a file with macros, an encrypted part, or an
archive that is some other thing (a spreadsheet, a plain ZIP) is refused with a reason.
Python's zipfile never yields more bytes from a part than its declared size, so the
declared sizes bound what the parsers will see.
"""

from __future__ import annotations

import zipfile
from typing import TYPE_CHECKING

from indexer.extraction._worker import short
from indexer.extraction.formats import not_accepted

if TYPE_CHECKING:
    from indexer.extraction._worker import Output

_MAX_PARTS = 10_000
_MAX_UNPACKED = 1024 * 2**20  # the whole archive, unpacked
_MAX_XML_PART = 256 * 2**20  # one XML part, which a parser holds in memory whole
_MAX_RATIO = 200  # unpacked : packed, for parts over _RATIO_FROM; real XML packs 5-30 : 1
_RATIO_FROM = 16 * 2**20
_MIMETYPE_MAX = 200
_CONTENT_TYPES_MAX = 2**20


_MACROS = ("refused: it contains macros (programs inside the document); save it without macros, "
           "as .docx, .pptx or .odt, or as a PDF, and try again")


class Refused(Exception):
    """The package cannot be read; the message is the reason for the report."""


def read_package(output: Output, path: str) -> str | None:
    """Check the ZIP package at `path` and read it with its format's reader; return a reason or None."""
    try:
        with zipfile.ZipFile(path) as archive:
            kind = inspect_package(archive)
    except Refused as refused:
        return str(refused)
    except zipfile.BadZipFile as exc:
        return ("damaged file: it starts like a Word, PowerPoint or OpenDocument file but is not a whole ZIP archive"
                f" ({short(exc)})")
    except (OSError, EOFError, ValueError, NotImplementedError) as exc:
        return f"damaged file: {short(exc)}"
    if kind == "docx":
        from indexer.extraction.word import read_docx

        return read_docx(output, path)
    if kind == "pptx":
        from indexer.extraction.slides import read_pptx

        return read_pptx(output, path)
    from indexer.extraction.word import read_odt

    return read_odt(output, path)


def inspect_package(archive: zipfile.ZipFile) -> str:
    """Return "docx", "pptx" or "odt" for a package that is safe to parse; raise Refused otherwise."""
    parts = archive.infolist()
    if len(parts) > _MAX_PARTS:
        raise Refused(f"refused: the file holds {len(parts):,} parts, more than any real document "
                      "(it may be a ZIP bomb)")
    unpacked = sum(part.file_size for part in parts)
    packed = sum(part.compress_size for part in parts)
    if unpacked > _MAX_UNPACKED:
        raise Refused(f"refused: it looks like a ZIP bomb (its parts would unpack to {_size(unpacked)} "
                      f"from {_size(packed)})")
    for part in parts:
        if part.file_size > _RATIO_FROM and part.file_size > _MAX_RATIO * max(part.compress_size, 1):
            raise Refused(f"refused: it looks like a ZIP bomb (one part would unpack to {_size(part.file_size)} "
                          f"from {_size(part.compress_size)})")
        if part.flag_bits & 0x1:
            raise Refused("encrypted: a password is needed to open it")
    names = {part.filename for part in parts}
    lowered = {name.lower() for name in names}
    if any(name.endswith("vbaproject.bin") or name.endswith("vbadata.xml") for name in lowered) or any(
        name.startswith(("basic/", "scripts/")) for name in lowered
    ):
        raise Refused(_MACROS)
    if "mimetype" in names:
        return _opendocument_kind(archive)
    if "[Content_Types].xml" in names:
        return _office_kind(archive, lowered)
    raise Refused(not_accepted("it is a ZIP archive"))


def _opendocument_kind(archive: zipfile.ZipFile) -> str:
    info = archive.getinfo("mimetype")
    if info.file_size > _MIMETYPE_MAX:
        raise Refused("damaged OpenDocument file: its 'mimetype' part is not a format name")
    mimetype = archive.read(info).decode("ascii", "replace").strip()
    if mimetype in ("application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.text-template"):
        if "content.xml" not in archive.namelist():
            raise Refused("damaged OpenDocument file: it has no content")
        _check_xml_sizes(archive, ["content.xml", "styles.xml", "meta.xml"])
        return "odt"
    kind = mimetype.rsplit(".", 1)[-1] or "unknown"
    raise Refused(not_accepted(f"it is an OpenDocument {kind} file"))


def _office_kind(archive: zipfile.ZipFile, lowered: set[str]) -> str:
    info = archive.getinfo("[Content_Types].xml")
    if info.file_size > _CONTENT_TYPES_MAX:
        raise Refused("damaged Office file: its list of content types is far too long")
    declared = archive.read(info)
    if b"macroEnabled" in declared:
        raise Refused(_MACROS)  # a .docm or .pptm, whatever its name says
    if b"wordprocessingml.document.main" in declared or b"wordprocessingml.template.main" in declared:
        _check_xml_sizes(archive, [n for n in archive.namelist() if n.startswith("word/") and n.endswith(".xml")])
        return "docx"
    if b"presentationml.presentation.main" in declared or b"presentationml.slideshow.main" in declared:
        _check_xml_sizes(archive, [n for n in archive.namelist() if n.startswith("ppt/") and n.endswith(".xml")])
        return "pptx"
    if b"spreadsheetml" in declared or "xl/workbook.xml" in lowered:
        raise Refused(not_accepted("it is an Excel spreadsheet", "save it as a PDF to deposit it"))
    raise Refused(not_accepted("it is an Office file of another kind"))


def _check_xml_sizes(archive: zipfile.ZipFile, names: list[str]) -> None:
    for name in names:
        try:
            size = archive.getinfo(name).file_size
        except KeyError:
            continue
        if size > _MAX_XML_PART:
            raise Refused(f"refused: one part of it ({name}) would unpack to {_size(size)}, more than a "
                          "document's text needs")


def _size(count: int) -> str:
    if count < 2**20:
        return f"{max(1, count // 1024)} KB"
    if count < 2**30:
        return f"{count / 2**20:.0f} MB"
    return f"{count / 2**30:.1f} GB"
