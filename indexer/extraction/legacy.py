"""Read legacy Word 97-2003 (.doc) files (worker side): olefile checks the container, antiword reads it.

A .doc is an OLE compound file, as are old Excel and PowerPoint files and encrypted new
Office files; the streams inside tell them apart. Debian's `antiword` turns the Word
stream into text; it runs as a child of the worker, under its memory limit and within the
file's time.
"""

from __future__ import annotations

import shutil
import struct
import subprocess
from typing import TYPE_CHECKING

from indexer.extraction._worker import short
from indexer.extraction.formats import not_accepted
from indexer.extraction.word import BODY_SIZE, emit_parts

if TYPE_CHECKING:
    from indexer.extraction._worker import Output

_ENCRYPTED = 0x0100  # fEncrypted in the Word binary file header's flags
_READ_SECONDS = 20.0  # the pool's own limit still applies; this keeps a hung program from outliving it


def read_legacy_word(output: Output, path: str) -> str | None:
    """Check an OLE file is an unencrypted, macro-free Word document and read its text."""
    import olefile

    try:
        with olefile.OleFileIO(path) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=True)}
            refusal = _refusal(ole, streams)
            if refusal:
                return refusal
            header = ole.openstream("WordDocument").read(12)
            if len(header) >= 12 and struct.unpack("<H", header[10:12])[0] & _ENCRYPTED:
                return "encrypted: a password is needed to open it"
            info = _metadata(ole)
    except MemoryError:
        raise
    except Exception as exc:  # olefile raises OSError and others on damaged files
        return f"damaged Word file: {short(exc)}"
    text, failure = _run_antiword(path)
    if text is None:
        return failure
    paragraphs = [(" ".join(block.split()), BODY_SIZE) for block in text.replace("\f", "\n").split("\n")]
    return emit_parts(output, "doc", [p for p in paragraphs if p[0]], [], info)


def _refusal(ole, streams: set[str]) -> str | None:
    """Say why an OLE file is not a Word document we read, or None if it is one."""
    if "encryptioninfo" in streams or "encryptedpackage" in streams:
        return "encrypted: a password is needed to open it"
    if "worddocument" not in streams:
        if "workbook" in streams or "book" in streams:
            return not_accepted("it is an old Excel spreadsheet", "save it as a PDF to deposit it")
        if "powerpoint document" in streams:
            return not_accepted("it is an old PowerPoint file, .ppt", "save it as .pptx or PDF to deposit it")
        return not_accepted("it is an old-style Office file of another kind")
    if any(name.startswith("macros") or name.startswith("_vba_project") for name in streams):
        return ("refused: it contains macros (programs inside the document); save it without macros, "
                "as .docx or as a PDF, and try again")
    return None


def _metadata(ole) -> dict[str, str]:
    """Return the summary information (title, author, subject, keywords, created) as an info dictionary."""
    try:
        meta = ole.get_metadata()
    except Exception:  # damaged summary information loses only the metadata
        return {}
    codepage = meta.codepage if isinstance(meta.codepage, int) and meta.codepage > 0 else 1252
    info: dict[str, str] = {}
    for key, value in (("title", meta.title), ("author", meta.author), ("subject", meta.subject),
                       ("keywords", meta.keywords)):
        if isinstance(value, bytes):
            value = _decode(value, codepage)
        text = " ".join(str(value or "").replace("\x00", "").split())[:2000]
        if text:
            info[key] = text
    created = meta.create_time
    if created is not None and hasattr(created, "year") and 1900 <= created.year <= 2100:
        info["creation_date"] = created.date().isoformat()
    return info


def _decode(value: bytes, codepage: int) -> str:
    try:
        return value.decode(f"cp{codepage}")
    except (LookupError, UnicodeDecodeError):
        return value.decode("latin-1")


def _run_antiword(path: str) -> tuple[str | None, str]:
    """Return (text, '') from antiword, or (None, why it could not read the file)."""
    if not shutil.which("antiword"):
        return None, ("cannot read old Word (.doc) files here: antiword is not installed; "
                      "save it as .docx or PDF")
    try:
        # -w 0: a paragraph to a line; -m UTF-8.txt: its own character mapping (without one,
        # antiword looks for a home folder and, finding none, crashes).
        done = subprocess.run(["antiword", "-w", "0", "-m", "UTF-8.txt", path], stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=_READ_SECONDS)
    except subprocess.TimeoutExpired:
        return None, f"damaged Word file: antiword took longer than {_READ_SECONDS:g} s"
    except OSError as exc:
        return None, f"damaged Word file: antiword: {exc.strerror or exc}"
    text = done.stdout.decode("utf-8", "replace")
    if done.returncode == 0 and text.strip():
        return text, ""
    said = [line for line in done.stderr.decode("utf-8", "replace").strip().splitlines()
            if "HOME directory" not in line]
    return None, f"damaged Word file: {said[-1][:160] if said else 'antiword found no text in it'}"
