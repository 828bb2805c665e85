"""Reading age of plain-language text (Flesch-Kincaid grade level, our own small version)."""

from __future__ import annotations

import re
from dataclasses import dataclass

_SENTENCE_END = re.compile(r"[.!?]+(?:\s|$)|\n\s*\n")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|\d+(?:[.,]\d+)*")
_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
# A school grade plus this many years is the reader's age (grade 1 is age 6 in the US system).
_GRADE_TO_AGE = 5
# Past this age the grade says "university level" and more precision means nothing.
_ADULT_AGE = 18


@dataclass(frozen=True)
class Readability:
    """How hard a text is to read."""

    words: int
    sentences: int
    syllables: int
    grade: float  # Flesch-Kincaid grade level
    reading_age: int  # years: grade + 5, at least 5

    def describe(self) -> str:
        """Return one sentence a depositor understands."""
        if self.words == 0:
            return "There is no summary yet, so it has no reading age."
        advice = (" That is easy to read." if self.reading_age <= 11
                  else " Shorter sentences and everyday words would make it easier to read.")
        if self.reading_age >= _ADULT_AGE:
            return f"Your summary needs a reading age of {_ADULT_AGE} or over (university level).{advice}"
        return f"Your summary has a reading age of about {self.reading_age} years.{advice}"


def count_syllables(word: str) -> int:
    """Estimate the syllables of an English word from its vowel groups."""
    word = word.lower().strip("'’")
    if not word:
        return 0
    if word.isdigit():
        return max(1, len(word))  # spoken numbers are long; a rough count is enough
    if len(word) <= 3:
        return 1
    # A silent final e ("made") is not a syllable, but "-le" after a consonant ("table") is.
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")):
        word = word[:-1]
    elif word.endswith(("es", "ed")) and not word.endswith(("ted", "ded", "ses", "zes", "ces", "ges", "xes")):
        word = word[:-2]
    return max(1, len(_VOWEL_GROUPS.findall(word)))


def readability(text: str) -> Readability:
    """Return the Flesch-Kincaid grade and reading age of `text`."""
    words = _WORD.findall(text)
    if not words:
        return Readability(0, 0, 0, 0.0, 0)
    sentences = max(1, len([part for part in _SENTENCE_END.split(text.strip()) if _WORD.search(part)]))
    syllables = sum(count_syllables(word) for word in words)
    grade = 0.39 * len(words) / sentences + 11.8 * syllables / len(words) - 15.59
    grade = max(0.0, grade)
    age = min(_ADULT_AGE, max(5, round(grade) + _GRADE_TO_AGE))
    return Readability(len(words), sentences, syllables, round(grade, 1), age)
