"""A name found once is masked wherever it recurs in the same batch of texts.

Detectors often find a person where the context gives them away ("Wasim Akram c Knight",
"said Camacho") and miss the same surname alone elsewhere ("Akram took three wickets").
Texts are masked in batches (an import stores a thousand rows at a time), so every
capitalised word of a person's name found anywhere in the batch is masked in every text of
it. The cost is over-masking where a surname is also a word ("Baker" the player masks "Baker"
the street), which for privacy is the right side to err on. A text masked alone (a preview, a
prediction) is its own batch.
"""
import re

from .base import Span
from .english import is_english_word
from .names import COMMON_WORDS, ORGANIZATION_WORDS, is_known_name

# Lower than every detector: where anything else claims the characters, it wins.
RECURRING_SCORE = 0.3
# Only names the model or the rules are sure of recur: the model's person names, a first and
# last name, a name after "Dear". A guess repeated over a thousand texts is a thousand errors.
SURE_ENOUGH = 0.5
_CAPITALISED_WORD = re.compile(r"(?<![\w'’-])[^\W\d_a-z][^\W\d_A-Z]+(?:['’-][^\W\d_][^\W\d_A-Z]+)?(?![\w'’-])")
_WORD = re.compile(r"(?<![\w'’-])[^\W\d_]+(?:['’-][^\W\d_]+)?(?![\w'’-])")


def with_recurring_names(texts, found) -> list[list[Span]]:
    """`found` (spans per text) and a PERSON span for each other occurrence of a name's word."""
    names = {
        spelling
        for text, spans in zip(texts, found)
        for span in spans
        if span.type == "PERSON" and span.score >= SURE_ENOUGH
        for word in _CAPITALISED_WORD.findall(text, span.start, span.end)
        if _may_recur(word)
        for spelling in (word, word.upper())  # "Shearer" in a headline: "SHEARER NAMED AS CAPTAIN"
    }
    if not names:
        return found
    return [spans + _occurrences(text, names) for text, spans in zip(texts, found)]


def _may_recur(word) -> bool:
    """Not "Finland" or "Scout" (one mistake would spread over the batch), but "Baker" the
    surname, and every word no English word list knows ("Kowalczyk")."""
    if word in COMMON_WORDS or word in ORGANIZATION_WORDS:
        return False
    return not is_english_word(word) or is_known_name(word)


def _occurrences(text, names) -> list[Span]:
    return [
        Span("PERSON", match.start(), match.end(), RECURRING_SCORE)
        for match in _WORD.finditer(text)
        if match.group() in names
    ]
