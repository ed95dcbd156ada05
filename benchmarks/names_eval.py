"""Names and places on real news: how much of them each tool masks (CoNLL-2003 dev).

The CoNLL-2003 English development split (../shared/datasets/ner/conll2003_dev.txt,
human-annotated Reuters news; evaluation only, nothing is tuned on it), sentences rebuilt
by joining tokens with single spaces. Tools on the same sentences (benchmarks/_pii_common.py):
- `looplabel rules`: the configured detector set without its model-based detectors;
- `looplabel default`: the configured set (privacy.detectors.detect_many; by default
  DEFAULT_DETECTORS, which may include the spaCy-based EntityDetector);
- `presidio`: Presidio's AnalyzerEngine, its spaCy NLP engine on the same spaCy model
  (en_core_web_sm 3.8 from the installed package; nothing is downloaded);
- `spacy`: that model alone, PERSON, GPE/LOC/FAC and ORG reported.

Per CoNLL type (PER, LOC, ORG, MISC): recall, where an entity counts as caught when masked
spans of any type cover at least half of its characters; the share of words tagged O
(no entity) that end up at least half masked, since models learn from the masked text;
texts per second of detection alone. The tools take turns on chunks of `--batch` sentences
(256), each chunk `--repeats` times, the best try per chunk counting. Looplabel masks a name
found once wherever it recurs in the same batch, so its recall depends on `--batch`.

    .venv/bin/python benchmarks/names_eval.py [--conll PATH] [--limit N] [--repeats 2] [--batch 256]
        [--tools rules,default,presidio,spacy] [--presidio-organizations]
"""
import argparse
import csv
from pathlib import Path

from _pii_common import (
    BATCH_SIZE,
    REPO_ROOT,
    RESULTS_DIR,
    looplabel_tool,
    masked,
    presidio_tool,
    rule_detectors,
    run_in_turns,
    share,
    spacy_tool,
    warm_up,
)

from privacy.detectors import get_detectors

DEFAULT_CONLL = REPO_ROOT / ".." / "shared" / "datasets" / "ner" / "conll2003_dev.txt"
RESULTS = RESULTS_DIR / "names_eval_conll_dev.csv"
CONLL_TYPES = ("PER", "LOC", "ORG", "MISC")
TOOLS = {"rules": "looplabel rules", "default": "looplabel default", "presidio": "presidio", "spacy": "spacy"}


def read_conll(path):
    """[(text, [(type, start, end)], [(start, end, tag)])] per sentence."""
    sentences, tokens = [], []
    with open(path, encoding="utf-8") as handle:
        lines = list(handle)
    for line in [*lines, ""]:
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


def evaluate(name, sentences, found, seconds):
    caught = {t: 0 for t in CONLL_TYPES}
    total = {t: 0 for t in CONLL_TYPES}
    other_masked = other = 0
    for (_, entities, words), spans in zip(sentences, found):
        for entity_type, start, end in entities:
            total[entity_type] += 1
            caught[entity_type] += masked(spans, start, end)
        for start, end, tag in words:
            if tag == "O":
                other += 1
                other_masked += masked(spans, start, end)
    return {"detectors": name, **{f"{t}_recall": share(caught[t], total[t], 3) for t in CONLL_TYPES},
            "O_words_masked": share(other_masked, other), "texts_per_s": round(len(sentences) / seconds, 1),
            "entities": sum(total.values())}


def build_tools(keys, presidio_organizations):
    tools = {}
    for key in keys:
        if key == "rules":
            tool, problem = looplabel_tool(rule_detectors()), None
        elif key == "default":
            tool, problem = looplabel_tool(), None
        elif key == "presidio":
            tool, problem = presidio_tool(keep_organizations=presidio_organizations)
        else:
            tool, problem = spacy_tool()
        if tool:
            tools[TOOLS[key]] = tool
        else:
            print(f"{TOOLS[key]} not run: {problem}")
    return tools


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conll", default=str(DEFAULT_CONLL))
    parser.add_argument("--limit", type=int, default=0, help="first N sentences only (0: all)")
    parser.add_argument("--repeats", type=int, default=2, help="timed tries per tool and chunk (the best counts)")
    parser.add_argument("--batch", type=int, default=BATCH_SIZE,
                        help="texts per detection call and timed turn (Looplabel masks recurring names per batch)")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated, of {', '.join(TOOLS)}")
    parser.add_argument("--presidio-organizations", action="store_true",
                        help="keep Presidio's ORGANIZATION findings (its default configuration ignores them)")
    parser.add_argument("--output", default=str(RESULTS))
    args = parser.parse_args(argv)
    keys = [k for k in args.tools.split(",") if k]
    if set(keys) - set(TOOLS):
        parser.error(f"unknown tools: {', '.join(sorted(set(keys) - set(TOOLS)))}")
    sentences = read_conll(args.conll)
    if args.limit:
        sentences = sentences[: args.limit]

    tools = build_tools(keys, args.presidio_organizations)
    if not tools:
        parser.error("no tool to run")
    warm_up(tools)  # loading models is not detection time
    found, seconds = run_in_turns(tools, [text for text, _, _ in sentences], args.repeats, args.batch)
    rows = [evaluate(name, sentences, found[name], seconds[name]) for name in tools]

    configured = [type(d).__name__ for d in get_detectors()]
    print(f"CoNLL-2003 dev, {len(sentences)} sentences, {rows[0]['entities'] if rows else 0} entities; "
          f"default set: {', '.join(configured)}; recall: at least half of an entity masked by spans of any type")
    header = [h for h in (rows[0] if rows else {}) if h != "entities"]
    print(" | ".join(f"{h:>17}" for h in header))
    for row in rows:
        print(" | ".join(f"{row[h]!s:>17}" for h in header))
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {output}")


if __name__ == "__main__":
    main()
