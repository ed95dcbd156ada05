"""Names and places on real news: how much of them each detector set masks (CoNLL-2003 dev).

The CoNLL-2003 English development split (../shared/datasets/ner/conll2003_dev.txt,
human-annotated Reuters news; evaluation only, nothing is tuned on it), sentences rebuilt
by joining tokens with single spaces. Three detector sets on the same sentences:
- `rules`: the default set (privacy.detectors.DEFAULT_DETECTORS);
- `model`: privacy.detectors.entities.EntityDetector alone (spaCy en_core_web_sm 3.8);
- `rules+model`: both, overlaps resolved as in production;
- `rules+model PERSON`: the rules and the model's person names only (the detector's default).

Per CoNLL type (PER, LOC, ORG, MISC): recall, where an entity counts as caught when masked
spans of any type cover at least half of its characters; the share of words tagged O
(no entity) that end up masked, since models learn from the masked text; texts per second
of detection alone.

    .venv/bin/python benchmarks/names_eval.py [--conll PATH] [--limit N]
"""
import argparse
import csv
import os
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from privacy.detectors import DEFAULT_DETECTORS, get_detectors  # noqa: E402
from privacy.detectors.entities import EntityDetector  # noqa: E402
from privacy.spans import resolve_overlaps  # noqa: E402

DEFAULT_CONLL = REPO_ROOT / ".." / "shared" / "datasets" / "ner" / "conll2003_dev.txt"
RESULTS = REPO_ROOT / "benchmarks" / "results" / "names_eval_conll_dev.csv"
CONLL_TYPES = ("PER", "LOC", "ORG", "MISC")


def read_conll(path):
    """[(text, [(type, start, end)], [(start, end, tag)])] per sentence."""
    sentences, tokens = [], []
    for line in list(open(path, encoding="utf-8")) + [""]:
        line = line.rstrip("\n")
        if line:
            tokens.append(line.split("\t"))
            continue
        if tokens:
            sentences.append(_sentence(tokens))
        tokens = []
    return sentences


def _sentence(tokens):
    text, entities, words = "", [], []
    for token, tag in tokens:
        start = len(text) + (1 if text else 0)
        text = f"{text} {token}" if text else token
        words.append((start, len(text), tag))
        if tag.startswith("I-") and entities and entities[-1][0] == tag[2:] and words[-2][2] != "O":
            entities[-1][2] = len(text)
        elif tag != "O":
            entities.append([tag[2:], start, len(text)])
    return text, [tuple(e) for e in entities], words


def covered(spans, start, end) -> bool:
    inside = sum(max(0, min(end, s.end) - max(start, s.start)) for s in spans)
    return 2 * inside >= end - start


def evaluate(name, sentences, detect_all):
    started = time.perf_counter()
    found = detect_all([text for text, _, _ in sentences])
    seconds = time.perf_counter() - started
    caught = {t: 0 for t in CONLL_TYPES}
    total = {t: 0 for t in CONLL_TYPES}
    other_masked = other = 0
    for (_, entities, words), spans in zip(sentences, found):
        for entity_type, start, end in entities:
            total[entity_type] += 1
            caught[entity_type] += covered(spans, start, end)
        for start, end, tag in words:
            if tag == "O":
                other += 1
                other_masked += covered(spans, start, end)
    row = {"detectors": name, **{f"{t}_recall": round(caught[t] / max(total[t], 1), 3) for t in CONLL_TYPES},
           "O_words_masked": round(other_masked / max(other, 1), 4), "texts_per_s": round(len(sentences) / seconds, 1)}
    return row


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conll", default=str(DEFAULT_CONLL))
    parser.add_argument("--limit", type=int, default=0, help="first N sentences only (0: all)")
    args = parser.parse_args()
    sentences = read_conll(args.conll)
    if args.limit:
        sentences = sentences[: args.limit]
    rules, model = get_detectors(), EntityDetector(entity_types=EntityDetector.entity_types)
    persons = EntityDetector()  # what LOOPLABEL_PII_DETECTORS gets by its path: person names only
    model.detect("Warm Up")  # loading the model is not detection time
    persons.detect("Warm Up")

    def with_rules(texts, extra=None):
        extra = extra or [[] for _ in texts]
        return [resolve_overlaps([s for d in rules for s in d.detect(text)] + more, text) for text, more in zip(texts, extra)]

    rows = [
        evaluate("rules", sentences, with_rules),
        evaluate("model", sentences, lambda texts: [resolve_overlaps(spans, text) for text, spans in
                                                    zip(texts, model.detect_many(texts))]),
        evaluate("rules+model", sentences, lambda texts: with_rules(texts, model.detect_many(texts))),
        evaluate("rules+model PERSON", sentences, lambda texts: with_rules(texts, persons.detect_many(texts))),
    ]
    print(f"CoNLL-2003 dev, {len(sentences)} sentences; default set: {len(DEFAULT_DETECTORS)} rule detectors")
    header = list(rows[0])
    print(" | ".join(f"{h:>14}" for h in header))
    for row in rows:
        print(" | ".join(f"{row[h]!s:>14}" for h in header))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
