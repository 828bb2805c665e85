"""Text normalisation: ligatures, hyphenation across lines, spaces, paragraphs, control characters."""

from __future__ import annotations

from indexer.extraction.normalise import normalise_text


def test_ligatures_and_compatibility_forms_become_plain_letters() -> None:
    assert normalise_text("e\ufb03cient \ufb01rst \ufb02ow") == "efficient first flow"
    assert normalise_text("ＭＡＲＡＣ\u00a0meeting") == "MARAC meeting"


def test_word_broken_at_a_line_end_is_joined() -> None:
    assert normalise_text("sharing infor-\nmation daily") == "sharing information daily"
    assert normalise_text("safe-  \n  guarding") == "safeguarding"
    assert normalise_text("infor\u00admation") == "information"  # soft hyphen


def test_real_hyphens_stay() -> None:
    assert normalise_text("a multi-agency hub") == "a multi-agency hub"
    assert normalise_text("the Leeds-\nBradford corridor") == "the Leeds-Bradford corridor"
    # The document spells the compound with a hyphen elsewhere, so the break keeps it.
    text = "looked-after children and looked-\nafter young people"
    assert normalise_text(text) == "looked-after children and looked-after young people"
    assert normalise_text("a self-\nassessment form") == "a self-assessment form"


def test_spaces_collapse_and_paragraphs_survive() -> None:
    raw = "First   line\t with  gaps   \r\nsecond line\r\n\r\n\r\n\r\nNew paragraph\x0cNext page"
    assert normalise_text(raw) == "First line with gaps\nsecond line\n\nNew paragraph\nNext page"


def test_control_characters_are_dropped_but_newlines_kept() -> None:
    assert normalise_text("a\x00b\x07c\nd\x1be\u200b") == "abc\nde"


def test_empty_and_whitespace_only() -> None:
    assert normalise_text("") == ""
    assert normalise_text(" \n\t \n ") == ""
