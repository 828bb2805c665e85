"""Extraction of good, odd and hostile files: every path gives an Extraction, never a traceback."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from indexer.extraction.extract import Extraction, Limits, extract_file, extract_many

REPORT = [
    "Information sharing in early help\nA study of three councils",
    "Practitioners in Leeds and Bradford described how consent was recorded.",
    "The multi-agency safeguarding hub shared information daily.",
]


def test_multi_page_pdf_gives_text_per_page_and_hash(tmp_path: Path, pdfs) -> None:
    path = pdfs.text_pdf(tmp_path / "report.pdf", REPORT, title="Information sharing in early help",
                         author="Ann Example")
    result = extract_file(path)
    assert result.status == "ok" and result.reason is None
    assert result.page_count == 3 and len(result.pages) == 3
    assert "three councils" in result.pages[0]
    assert "Leeds and Bradford" in result.pages[1]
    assert "multi-agency safeguarding hub" in result.pages[2]
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.size == path.stat().st_size
    assert result.info["title"] == "Information sharing in early help"
    assert result.info["author"] == "Ann Example"
    assert result.info["creation_date"] == "2015-03-12"
    assert result.text == "\n\n".join(result.pages)
    assert result.page_errors == {}
    assert result.seconds > 0


def test_single_page_pdf(tmp_path: Path, pdfs) -> None:
    path = pdfs.text_pdf(tmp_path / "one.pdf", ["Just the one page of findings."])
    result = extract_file(str(path))
    assert (result.status, result.page_count, result.pages) == ("ok", 1, ["Just the one page of findings."])
    assert result.path == str(path)


def test_pdf_needing_a_password_is_rejected(tmp_path: Path, pdfs) -> None:
    path = pdfs.encrypted_pdf(tmp_path / "locked.pdf", "Sensitive case notes", user_password="s3cret")
    result = extract_file(path)
    assert result.status == "rejected"
    assert result.reason == "encrypted: a password is needed to open it"
    assert "password" in result.reason
    assert result.pages == [] and result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("method", ["RC4", "AES_128", "AES_256"])
def test_pdf_with_only_an_owner_password_opens(tmp_path: Path, pdfs, method: str) -> None:
    from fpdf.enums import EncryptionMethod

    path = pdfs.encrypted_pdf(tmp_path / "owner.pdf", "Readable by anyone, not editable",
                              user_password="", method=EncryptionMethod[method])
    result = extract_file(path)
    assert result.status == "ok", result.reason
    assert result.pages == ["Readable by anyone, not editable"]


def test_truncated_pdf_is_rejected_or_read_without_traceback(tmp_path: Path, pdfs) -> None:
    path = pdfs.truncated_pdf(tmp_path / "cut.pdf")
    result = extract_file(path)
    # pypdf can rebuild a lost cross-reference table, so a cut file may still give its first
    # pages; whatever it manages, the outcome is a reasoned Extraction.
    if result.status == "ok":
        assert 1 <= len(result.pages) <= 5 and "report that never arrived" in result.text
    else:
        assert result.reason and result.reason.startswith(("damaged PDF", "no text layer"))
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_garbage_after_the_header_is_a_damaged_pdf(tmp_path: Path, pdfs) -> None:
    result = extract_file(pdfs.garbage_pdf(tmp_path / "junk.pdf"))
    assert result.status == "rejected"
    assert result.reason.startswith("damaged PDF")


def test_image_only_pdf_has_no_text_layer(tmp_path: Path, pdfs) -> None:
    # A drawing with no words in it: OCR runs on both pages and finds nothing to read.
    result = extract_file(pdfs.image_only_pdf(tmp_path / "scan.pdf", pages=2))
    assert result.status == "rejected"
    assert result.reason == ("no text layer: the file looks scanned or image-only; "
                             "text recognition found no words on 2 pages that look scanned")
    assert result.page_count == 2 and result.ocr_pages == []


def test_image_only_pdf_with_ocr_turned_off_says_so(tmp_path: Path, pdfs) -> None:
    result = extract_file(pdfs.image_only_pdf(tmp_path / "scan.pdf", pages=2), Limits(ocr=False))
    assert result.status == "rejected"
    assert result.reason == ("no text layer: the file looks scanned or image-only; text recognition (OCR) "
                             "is turned off, so 2 pages that look scanned were not read")


def test_some_empty_pages_are_fine(tmp_path: Path, pdfs) -> None:
    path = pdfs.text_pdf(tmp_path / "gaps.pdf", ["Findings", "", "Recommendations"])
    result = extract_file(path)
    assert result.status == "ok" and result.reason is None
    assert result.pages == ["Findings", "", "Recommendations"]


def test_a_bad_page_loses_only_that_page(tmp_path: Path, pdfs) -> None:
    path = tmp_path / "badpage.pdf"
    path.write_bytes(pdfs.raw_pdf([
        pdfs.text_content("First page is fine"),
        b"BT /F1 12 Tf 72 700 Td (this string never closes Tj ET",
        pdfs.text_content("Third page is fine too"),
    ]))
    result = extract_file(path)
    assert result.status == "ok"
    assert result.pages == ["First page is fine", "", "Third page is fine too"]
    assert list(result.page_errors) == [2] and result.page_errors[2]
    assert result.reason == "1 of 3 pages could not be read"


def test_executable_is_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "invoice.pdf"
    path.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200)
    result = extract_file(path)
    assert result.status == "rejected"
    assert result.reason == ("not a PDF, Word, OpenDocument text or PowerPoint file "
                             "(file starts with 'MZ'; it looks like a Windows program)")
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_zip_header_with_nothing_behind_it_is_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "paper.pdf"
    path.write_bytes(b"PK\x03\x04" + b"\x14\x00" * 100)
    result = extract_file(path)
    assert result.status == "rejected"
    assert result.reason.startswith("damaged file: it starts like a Word, PowerPoint or OpenDocument file "
                                    "but is not a whole ZIP archive")


def test_header_may_follow_leading_junk(tmp_path: Path, pdfs) -> None:
    good = pdfs.text_pdf(tmp_path / "good.pdf", ["Some text after a prefix"])
    path = tmp_path / "prefixed.pdf"
    path.write_bytes(b"\r\n" * 20 + good.read_bytes())
    assert extract_file(path).status == "ok"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.touch()
    result = extract_file(path)
    assert (result.status, result.reason, result.size) == ("rejected", "empty file", 0)


def test_oversized_file_is_rejected_without_parsing(tmp_path: Path, pdfs) -> None:
    path = pdfs.text_pdf(tmp_path / "big.pdf", REPORT)
    result = extract_file(path, Limits(max_bytes=100))
    assert result.status == "rejected"
    assert result.reason.startswith("file too large (") and "the limit is 100 bytes" in result.reason
    assert result.size == path.stat().st_size
    assert result.sha256 == "" and result.pages == []


def test_missing_file_and_folder(tmp_path: Path) -> None:
    assert extract_file(tmp_path / "nowhere.pdf").reason == "file not found"
    assert extract_file(tmp_path).reason == "not a file (it is a folder)"
    assert extract_file("bad\x00name.pdf").reason == "could not read the file (the path is not valid)"


def test_relative_paths_are_read_from_the_callers_folder(tmp_path: Path, pdfs, monkeypatch) -> None:
    pdfs.text_pdf(tmp_path / "here.pdf", ["Relative path text"])
    monkeypatch.chdir(tmp_path)
    result = extract_file("here.pdf")
    assert (result.path, result.pages) == ("here.pdf", ["Relative path text"])


def test_importing_the_extractor_loads_no_web_framework() -> None:
    code = ("import sys, indexer.extraction.extract, indexer.extraction.metadata, indexer.extraction.titles, "
            "indexer.extraction.pool, indexer.extraction.themes; "
            "print('flask' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_pipe_is_not_a_regular_file(tmp_path: Path) -> None:
    # Reading a named pipe would block forever; it must be refused before anything opens it.
    path = tmp_path / "pipe.pdf"
    os.mkfifo(path)
    result = extract_file(path)
    assert (result.status, result.reason) == ("rejected", "not a regular file")


def test_slow_page_times_out_and_the_child_is_killed(tmp_path: Path, pdfs) -> None:
    path = tmp_path / "slow.pdf"
    path.write_bytes(pdfs.raw_pdf([pdfs.slow_content(200_000)]))
    result = extract_file(path, Limits(seconds=0.5))
    assert result.status == "rejected"
    assert result.reason == "timed out after 0.5 s"
    assert result.seconds < 5
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_timeout_after_some_pages_keeps_them(tmp_path: Path, pdfs) -> None:
    path = tmp_path / "slow-later.pdf"
    path.write_bytes(pdfs.raw_pdf([pdfs.text_content("Quick first page"), pdfs.slow_content(200_000)]))
    result = extract_file(path, Limits(seconds=1.0))
    assert result.status == "ok"
    assert result.pages == ["Quick first page"] and result.page_count == 2
    assert result.reason == "timed out after 1 s; only the first 1 of 2 pages were read"


def test_memory_bomb_is_stopped_by_the_memory_limit(tmp_path: Path, pdfs) -> None:
    # 70 MB of text operators compress to a few hundred KB; parsing them needs far more than 150 MB.
    path = tmp_path / "bomb.pdf"
    path.write_bytes(pdfs.raw_pdf([pdfs.slow_content(3_800_000)], compress=True))
    result = extract_file(path, Limits(memory_mb=150, seconds=60))
    assert result.status == "rejected"
    assert result.reason == "ran out of memory (limit 150 MB)"


def test_pages_beyond_the_limit_are_not_read(tmp_path: Path, pdfs) -> None:
    path = pdfs.text_pdf(tmp_path / "long.pdf", [f"Chapter {n}" for n in range(1, 6)])
    result = extract_file(path, Limits(max_pages=2))
    assert result.status == "ok"
    assert result.pages == ["Chapter 1", "Chapter 2"] and result.page_count == 5
    assert result.reason == "only the first 2 of 5 pages were read"


def test_absurdly_long_page_text_is_cut(tmp_path: Path, pdfs) -> None:
    from indexer.extraction._worker import PAGE_TEXT_LIMIT

    path = tmp_path / "long-line.pdf"
    path.write_bytes(pdfs.raw_pdf([pdfs.text_content("x" * (PAGE_TEXT_LIMIT + 5000)), pdfs.text_content("Next")]))
    result = extract_file(path)
    assert result.status == "ok"
    assert len(result.pages[0]) == PAGE_TEXT_LIMIT and result.pages[1] == "Next"


def test_extract_many_gives_one_result_per_path_including_bad_ones(tmp_path: Path, pdfs) -> None:
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(pdfs.raw_pdf([pdfs.slow_content(200_000)]))
    exe = tmp_path / "tool.pdf"
    exe.write_bytes(b"MZ" + b"\x00" * 50)
    good = [pdfs.text_pdf(tmp_path / f"good{n}.pdf", [f"Document number {n}"]) for n in range(5)]
    paths = [*good, pdfs.truncated_pdf(tmp_path / "cut.pdf"), pdfs.image_only_pdf(tmp_path / "scan.pdf"),
             exe, slow, tmp_path / "missing.pdf", good[0]]
    results = list(extract_many(paths, jobs=2, limits=Limits(seconds=2)))
    assert sorted(r.path for r in results) == sorted(str(p) for p in paths)
    by_path: dict[str, list[Extraction]] = {}
    for result in results:
        by_path.setdefault(result.path, []).append(result)
    assert [r.pages for r in by_path[str(good[3])]] == [["Document number 3"]]
    assert len(by_path[str(good[0])]) == 2
    assert by_path[str(slow)][0].reason == "timed out after 2 s"
    assert by_path[str(exe)][0].reason.startswith("not a PDF, Word")
    assert by_path[str(tmp_path / "missing.pdf")][0].reason == "file not found"
    assert by_path[str(tmp_path / "scan.pdf")][0].reason.startswith("no text layer")


def test_extract_many_survives_more_files_than_a_worker_handles(tmp_path: Path, pdfs, monkeypatch) -> None:
    from indexer.extraction import extract

    monkeypatch.setattr(extract, "_FILES_PER_WORKER", 2)
    paths = [pdfs.text_pdf(tmp_path / f"d{n}.pdf", [f"Note {n}"]) for n in range(7)]
    results = list(extract_many(paths, jobs=2))
    assert sorted(r.pages[0] for r in results) == [f"Note {n}" for n in range(7)]


def test_extract_many_with_no_paths() -> None:
    assert list(extract_many([])) == []


def _worker_pids() -> list[int]:
    """Return the pids of this process's extraction workers, from /proc."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        if ppid == os.getpid() and b"indexer.extraction._worker" in command:
            pids.append(int(entry.name))
    return pids


def test_stopping_early_leaves_no_worker_running(tmp_path: Path, pdfs) -> None:
    paths = [pdfs.text_pdf(tmp_path / f"d{n}.pdf", [f"Note {n}"]) for n in range(4)]
    results = extract_many(paths, jobs=2)
    first = next(results)
    assert _worker_pids()
    results.close()
    assert first.status == "ok"
    assert _worker_pids() == []


def test_worker_killed_from_outside_is_reported_and_replaced(tmp_path: Path, pdfs) -> None:
    # What the kernel's out-of-memory killer would do: SIGKILL in the middle of a file.
    slow = tmp_path / "slow.pdf"
    slow.write_bytes(pdfs.raw_pdf([pdfs.slow_content(400_000)]))
    after = pdfs.text_pdf(tmp_path / "after.pdf", ["Read by a fresh worker"])
    results = extract_many([slow, after], jobs=1, limits=Limits(seconds=60))

    def kill_when_started() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            for pid in _worker_pids():
                os.kill(pid, signal.SIGKILL)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_when_started)
    killer.start()
    first = next(results)
    killer.join()
    second = next(results)
    assert first.path == str(slow) and first.status == "rejected"
    assert first.reason == "the document reader stopped unexpectedly (killed by signal 9)"
    assert second.pages == ["Read by a fresh worker"]
    assert list(results) == []
