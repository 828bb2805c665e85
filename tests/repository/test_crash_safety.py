"""`kill -9` of a bulk ingest at any moment, then the same command again: nothing lost, nothing twice."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from repository import create_app
from repository.models import Item, ItemFile, PageText
from tests.serving import PROJECT, environment

from .people import make_pdf

FILES = 36


def flask(instance: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "repository", *args]


def test_kill_dash_nine_at_any_moment_then_the_same_command_again(tmp_path):
    instance, folder = tmp_path / "instance", tmp_path / "papers"
    folder.mkdir()
    for n in range(FILES):
        pages = [f"Paper {n}, page {p}: councils, police and health share information about families. " * 12
                 for p in range(1 + n % 6)]
        make_pdf(folder / f"paper-{n:02d}.pdf", pages)
    env = environment(instance)
    subprocess.run(flask(instance, "init-db"), cwd=PROJECT, env=env, check=True, capture_output=True)
    app = create_app({"TESTING": True, "SECRET_KEY": "t"}, instance_path=instance)
    res = app.extensions["repository"]

    def recorded() -> int:
        with res.sessions() as session:
            return session.scalar(select(func.count()).select_from(Item))

    # Killed while starting, then as soon as so many items are recorded (between files, while
    # the feeder writes the index), and at the last file, before the final commit.
    seen = []
    for target in (None, 1, 9, 18, 27, FILES):
        ingest = subprocess.Popen(flask(instance, "ingest", str(folder), "--jobs", "2"), cwd=PROJECT, env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        if target is None:
            time.sleep(0.3)
        else:
            while recorded() < target and ingest.poll() is None and time.monotonic() < deadline:
                time.sleep(0.01)
        ingest.kill()
        ingest.wait()
        seen.append(recorded())
    assert any(0 < count < FILES for count in seen), seen

    final = subprocess.run(flask(instance, "ingest", str(folder), "--jobs", "2"), cwd=PROJECT, env=env,
                           capture_output=True, text=True)
    assert final.returncode == 0, final.stdout + final.stderr
    assert "0 rejected, 0 not searchable" in final.stdout

    with res.sessions() as session:
        files = session.scalars(select(ItemFile)).all()
        assert recorded() == FILES and len(files) == FILES  # nothing ingested twice
        assert len({f.sha256 for f in files}) == FILES
        for stored in files:  # no record without its file, and each with every page's text
            assert res.files.path_for(stored.sha256).is_file()
            pages = session.scalar(select(func.count()).select_from(PageText).where(PageText.file_id == stored.id))
            assert pages == stored.page_count
        known = {res.files.path_for(f.sha256) for f in files}
    on_disk = {path for path in res.files.root.rglob("*.pdf")}
    assert on_disk == known  # no stored file without its record
    check = subprocess.run(flask(instance, "check-index"), cwd=PROJECT, env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    res.engine.dispose()
