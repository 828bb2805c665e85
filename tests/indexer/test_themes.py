"""Theme suggestions from key-phrase counts."""

from __future__ import annotations

from indexer.extraction.themes import stem_words, suggest_themes

VOCABULARY = {
    "domestic-abuse": ["domestic abuse", "MARAC", "domestic violence"],
    "families": ["family", "troubled families", "whole family"],
    "consent": ["consent", "data protection"],
    "health": ["GP", "hospital", "NHS"],
}


def test_the_densest_themes_come_first() -> None:
    text = (
        "The MARAC discussed domestic abuse cases weekly. Domestic violence referrals rose. "
        "Domestic abuse training was given. "
        "Families were offered support; the whole family approach helped troubled families. "
        "Consent was recorded once."
    )
    assert suggest_themes(text, VOCABULARY) == ["domestic-abuse", "families", "consent"]


def test_plurals_and_case_match_but_only_whole_words() -> None:
    assert suggest_themes("Hospitals and GPs shared records.", VOCABULARY) == ["health"]
    # "GPS" inside a longer word, or "consenting" are not the key phrases.
    assert suggest_themes("The GPSystem logged consenting adults.", VOCABULARY) == []
    assert stem_words("Families' children's services analyses") == ["family", "child", "service", "analysis"]


def test_rare_mentions_in_a_long_text_fall_below_the_threshold() -> None:
    filler = "The council reviewed its budget and buildings this year. " * 300
    text = filler + "One family was mentioned."
    assert suggest_themes(text, VOCABULARY) == []
    assert suggest_themes(text, VOCABULARY, min_per_thousand=0.1) == ["families"]


def test_limit_and_empty_inputs() -> None:
    text = "domestic abuse family consent hospital " * 3
    assert len(suggest_themes(text, VOCABULARY, limit=2)) == 2
    assert suggest_themes(text, VOCABULARY, limit=0) == []
    assert suggest_themes("", VOCABULARY) == []
    assert suggest_themes(text, {}) == []
    assert suggest_themes(text, {"empty": []}) == []


def test_ties_are_broken_by_slug_so_results_are_stable() -> None:
    assert suggest_themes("consent hospital", VOCABULARY) == ["consent", "health"]
