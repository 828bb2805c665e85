"""Read PowerPoint .pptx slide decks with python-pptx (worker side): one page per slide.

Each slide's page holds its title, the text of its shapes (grouped shapes and tables
included) and then its speaker notes, which often carry what the speaker said.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from indexer.extraction._worker import short
from indexer.extraction.word import info_from

if TYPE_CHECKING:
    from indexer.extraction._worker import Output

# PowerPoint's default sizes for a title placeholder and body text: the first slide's "type
# sizes", so the title guess finds the title placeholder as the largest type on the page.
_TITLE_SIZE = 44.0
_BODY_SIZE = 18.0


def read_pptx(output: Output, path: str) -> str | None:
    """Stream a deck's slides to `output`; return a rejection reason or None."""
    from pptx import Presentation

    try:
        deck = Presentation(path)
        slides = list(deck.slides)
        properties = deck.core_properties
        info = info_from({
            "title": properties.title, "author": properties.author, "subject": properties.subject,
            "keywords": properties.keywords,
            "creation_date": properties.created.isoformat() if properties.created else None,
        })
    except MemoryError:
        raise
    except Exception as exc:  # python-pptx and lxml raise many kinds
        return f"damaged PowerPoint file: {short(exc)}"
    if not slides:
        return "no slides: the presentation is empty"
    output.head("pptx", len(slides), info)
    for number, slide in enumerate(slides, start=1):
        if output.full:
            break
        try:
            runs = _slide_runs(slide)
            notes = _notes(slide)
        except MemoryError:
            raise
        except Exception as exc:  # one bad slide loses that slide only
            output.page("", error=short(exc))
            continue
        text = "\n\n".join(t for _, t in runs)
        if notes:
            text += f"\n\nNotes: {notes}" if text else f"Notes: {notes}"
        output.page(text, runs=runs if number == 1 else None)
    return None


def _slide_runs(slide) -> list[tuple[float, str]]:
    """Return (nominal size, text) for the slide's title, then every other shape with text."""
    title = slide.shapes.title
    runs: list[tuple[float, str]] = []
    if title is not None and title.has_text_frame and title.text_frame.text.strip():
        runs.append((_TITLE_SIZE, _clean(title.text_frame.text)))
    for text in _shape_texts(slide.shapes, skip=title):
        runs.append((_BODY_SIZE, text))
    return runs


def _shape_texts(shapes, skip=None) -> Iterable[str]:
    for shape in shapes:
        if skip is not None and shape.shape_id == skip.shape_id:
            continue
        if shape.shape_type is not None and int(shape.shape_type) == 6:  # a group: its shapes in turn
            yield from _shape_texts(shape.shapes)
            continue
        if getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                line = " | ".join(_clean(cell.text) for cell in row.cells)
                if line.strip(" |"):
                    yield line
            continue
        if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            text = _clean(shape.text_frame.text)
            if text:
                yield text


def _notes(slide) -> str:
    if not slide.has_notes_slide:
        return ""
    frame = slide.notes_slide.notes_text_frame
    return _clean(frame.text) if frame is not None else ""


def _clean(text: str) -> str:
    """Keep a shape's lines (bullets are lines) but tidy their spaces."""
    lines = (" ".join(line.split()) for line in text.replace("\x0b", "\n").split("\n"))
    return "\n".join(line for line in lines if line)
