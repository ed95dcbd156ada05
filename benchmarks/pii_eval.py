"""PII detection benchmark: Looplabel's detectors side by side with Microsoft Presidio.

Two evaluation sets, never used for tuning:
- the Presidio-generated data set (`--dataset`, default ../shared/datasets/pii/
  presidio_generated_large.json relative to the repository root), its entity types
  mapped onto ours (PRESIDIO_DATASET_TYPES);
- synthetic sentences in six Faker locales (en_US, en_GB, de_DE, fr_FR, zh_CN, en_IN),
  templates with known spans, fixed seed.

Presidio runs offline in this process with pattern recognizers only: its NLP engine is a
blank spaCy pipeline saved to disk, so no model is downloaded and its spaCy NER finds
nothing. `tldextract` (used by its email recognizer) is pointed at its bundled suffix list.

Matching: a gold span counts as found when a predicted span of the same type covers at
least half of it; a predicted span counts as correct when at least half of it lies in a
gold span of its type. Both tools' outputs go through the same overlap resolution
(`privacy.spans.resolve_overlaps`: higher score, then longer span; a losing span keeps
what the winner leaves uncovered). Precision is only reported for types the set annotates.

Throughput is detection time only. The tools take turns on chunks of 100 documents, each
chunk `--repeats` times; the best try per chunk counts, so a burst of load from elsewhere
on a shared machine hits both tools alike.

    .venv/bin/python benchmarks/pii_eval.py [--dataset PATH] [--per-locale 250] [--repeats 5] [--no-presidio]
"""
import argparse
import csv
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from faker import Faker  # noqa: E402

from privacy.detectors import ENTITY_TYPES, Span, detect, get_detectors  # noqa: E402
from privacy.spans import resolve_overlaps  # noqa: E402

DEFAULT_DATASET = REPO_ROOT / ".." / "shared" / "datasets" / "pii" / "presidio_generated_large.json"
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
SEED = 20240611
STRUCTURED_TYPES = ("EMAIL", "PHONE", "CREDIT_CARD", "IBAN", "IP_ADDRESS", "URL", "US_SSN", "CN_RESIDENT_ID")

# The data set's entity types -> ours; None: a type we do not detect.
PRESIDIO_DATASET_TYPES = {
    "PERSON": "PERSON",
    "ADDRESS": "ADDRESS",
    "LOCATION": "LOCATION",
    "ORGANIZATION": "ORGANIZATION",
    "CREDIT_CARD": "CREDIT_CARD",
    "PHONE_NUMBER": "PHONE",
    "DATE_TIME": "DATE",
    "EMAIL_ADDRESS": "EMAIL",
    "US_SSN": "US_SSN",
    "IBAN_CODE": "IBAN",
    "DOMAIN_NAME": "URL",  # its values are full URLs (http://www.example.de/)
    "IP_ADDRESS": "IP_ADDRESS",
    "TITLE": None,  # job titles
    "PREFIX": None,  # Mr., Dr.: we use them as context, not as entities
    "US_DRIVER_LICENSE": None,
}
# Presidio's output types -> ours; its other recognizers (UK_NHS, US_BANK_NUMBER, ...) have no counterpart.
PRESIDIO_ANALYZER_TYPES = {
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


# --- data --------------------------------------------------------------------------
def load_presidio_dataset(path):
    records = json.loads(Path(path).read_text(encoding="utf-8"))
    documents, unmapped = [], defaultdict(int)
    for record in records:
        gold = []
        for span in record["spans"]:
            ours = PRESIDIO_DATASET_TYPES.get(span["entity_type"])
            if ours is None:
                unmapped[span["entity_type"]] += 1
            else:
                gold.append((ours, span["start_position"], span["end_position"]))
        documents.append((record["full_text"], gold))
    return documents, dict(unmapped)


# Sentence templates per language; {TYPE} slots are filled by Faker and become gold spans.
TEMPLATES = {
    "en": [
        "Hi, my name is {PERSON} and you can reach me at {PHONE}.",
        "Please send the signed contract to {EMAIL} before Friday.",
        "{PERSON} called from {PHONE} about the delayed order.",
        "My card number is {CREDIT_CARD}, it expires next year.",
        "Kindly transfer the deposit to {IBAN} by the end of the month.",
        "The login attempts came from {IP_ADDRESS} last night.",
        "You will find the full report on {URL} tomorrow.",
        "Patient born on {DATE}, lives at {ADDRESS}.",
        "Please ship the replacement to {ADDRESS} as soon as possible.",
        "Thanks for your help!\nRegards,\n{PERSON}",
        "Contact {EMAIL} or call {PHONE} if the problem persists.",
        "I paid with {CREDIT_CARD} but was charged twice on {DATE}.",
    ],
    "de": [
        "Mein Name ist {PERSON}, Sie erreichen mich unter {PHONE}.",
        "Bitte schicken Sie die Unterlagen an {EMAIL}.",
        "Bitte überweisen Sie den Betrag auf das Konto {IBAN}.",
        "{PERSON} wurde am {DATE} geboren und wohnt in der {ADDRESS}.",
        "Die Anfrage kam von der Adresse {IP_ADDRESS}.",
        "Weitere Informationen finden Sie unter {URL}.",
        "Meine Kreditkartennummer lautet {CREDIT_CARD}.",
        "Rufen Sie {PHONE} an oder schreiben Sie an {EMAIL}.",
    ],
    "fr": [
        "Je m'appelle {PERSON} et mon numéro est le {PHONE}.",
        "Merci d'envoyer la facture à {EMAIL} avant vendredi.",
        "Veuillez virer le montant sur le compte {IBAN}.",
        "{PERSON}, né le {DATE}, habite au {ADDRESS}.",
        "La connexion provenait de {IP_ADDRESS}.",
        "Plus d'informations sur {URL}.",
        "Ma carte bancaire porte le numéro {CREDIT_CARD}.",
        "Appelez le {PHONE} ou écrivez à {EMAIL}.",
    ],
    "zh": [
        "我叫{PERSON}，我的电话是{PHONE}。",
        "请把合同发到{EMAIL}。",
        "我的身份证号码是{CN_RESIDENT_ID}。",
        "{PERSON}住在{ADDRESS}。",
        "出生日期：{DATE}，身份证：{CN_RESIDENT_ID}",
        "请将款项汇入账户{IBAN}。",
        "登录来自{IP_ADDRESS}，详情见{URL}。",
        "联系电话{PHONE}，邮箱{EMAIL}。",
        "信用卡号{CREDIT_CARD}已被冻结。",
    ],
}
LOCALE_LANGUAGES = {"en_US": "en", "en_GB": "en", "en_IN": "en", "de_DE": "de", "fr_FR": "fr", "zh_CN": "zh"}
EXTRA_TEMPLATES = {
    "en_US": ["My SSN is {US_SSN}, please keep it private.", "Employee {PERSON}, SSN {US_SSN}, started on {DATE}."],
}
MONTH_NAMES = {
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split(),
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre".split(),
}


def synthetic_documents(per_locale, seed):
    """(locale, text, gold spans) for `per_locale` sentences in each locale."""
    documents = []
    for locale, language in LOCALE_LANGUAGES.items():
        fake = Faker(locale)
        fake.seed_instance(seed)
        rng = random.Random(f"{seed}:{locale}")
        templates = TEMPLATES[language] + EXTRA_TEMPLATES.get(locale, [])
        for _ in range(per_locale):
            text, gold = _fill(rng.choice(templates), fake, rng, locale, language)
            documents.append((locale, text, gold))
    return documents


def _fill(template, fake, rng, locale, language):
    parts, gold, position = [], [], 0
    for literal, slot in _split_template(template):
        parts.append(literal)
        position += len(literal)
        if slot:
            value = _fake_value(slot, fake, rng, locale, language)
            gold.append((slot, position, position + len(value)))
            parts.append(value)
            position += len(value)
    return "".join(parts), gold


def _split_template(template):
    while "{" in template:
        literal, rest = template.split("{", 1)
        slot, template = rest.split("}", 1)
        yield literal, slot
    yield template, None


def _fake_value(slot, fake, rng, locale, language):
    if slot == "PERSON":
        return fake.name()
    if slot == "EMAIL":
        return fake.email()
    if slot == "PHONE":
        return fake.phone_number()
    if slot == "CREDIT_CARD":
        number = fake.credit_card_number()
        separator = rng.choice(["", " ", "-"])  # written compact or in groups of four
        return separator.join(number[i:i + 4] for i in range(0, len(number), 4))
    if slot == "IBAN":
        iban = fake.iban()
        return iban if rng.random() < 0.5 else " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
    if slot == "IP_ADDRESS":
        return fake.ipv4() if rng.random() < 0.7 else fake.ipv6()
    if slot == "URL":
        return fake.url() + rng.choice(["", "about", "products/item.html", "?q=1"])
    if slot == "US_SSN":
        return fake.ssn()
    if slot == "CN_RESIDENT_ID":
        return fake.ssn()  # only zh_CN templates have this slot
    if slot == "DATE":
        return _fake_date(fake.date_of_birth(minimum_age=18, maximum_age=90), rng, locale, language)
    if slot == "ADDRESS":
        return fake.address().replace("\n", ", ")
    raise ValueError(slot)


def _fake_date(day, rng, locale, language):
    if language in MONTH_NAMES and rng.random() < 0.5:
        separator = ". " if language == "de" else " "
        return f"{day.day}{separator}{MONTH_NAMES[language][day.month - 1]} {day.year}"
    layouts = {
        "en_US": ["%m/%d/%Y", "%B %d, %Y"],
        "en_GB": ["%d/%m/%Y", "%d %B %Y"],
        "en_IN": ["%d-%m-%Y", "%d %B %Y"],
        "de_DE": ["%d.%m.%Y"],
        "fr_FR": ["%d/%m/%Y"],
        "zh_CN": ["%Y年%m月%d日", "%Y-%m-%d"],
    }[locale]
    return day.strftime(rng.choice(layouts))


# --- detectors under test ------------------------------------------------------------
def looplabel_detector():
    detectors = get_detectors()
    return lambda text: [(s.type, s.start, s.end) for s in detect(text, detectors)]


def presidio_detector():
    """Presidio's analyzer with a blank spaCy pipeline (pattern recognizers only), or the reason it cannot run."""
    try:
        import spacy
        import tldextract
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NlpEngineProvider
    except ImportError as error:
        return None, f"presidio-analyzer not installed ({error})"
    # Offline: the email recognizer's tldextract uses its bundled public-suffix snapshot.
    tldextract.extract = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    model_dir = Path(tempfile.mkdtemp(prefix="blank-spacy-")) / "blank_en"
    spacy.blank("en").to_disk(model_dir)
    configuration = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": str(model_dir)}]}
    engine = NlpEngineProvider(nlp_configuration=configuration).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=engine, supported_languages=["en"])

    def run(text):
        found = [
            Span(PRESIDIO_ANALYZER_TYPES[r.entity_type], r.start, r.end, r.score)
            for r in analyzer.analyze(text=text, language="en")
            if r.entity_type in PRESIDIO_ANALYZER_TYPES
        ]
        return [(s.type, s.start, s.end) for s in resolve_overlaps(found, text)]

    return run, None


# --- scoring -----------------------------------------------------------------------
def covered(span, others):
    kind, start, end = span
    need = (end - start) / 2
    return any(t == kind and min(end, e) - max(start, s) >= need for t, s, e in others)


# Documents per timed turn: short turns (tens of milliseconds) let a burst of load from
# elsewhere on a shared machine hit both tools alike instead of one tool's whole pass.
TURN_DOCUMENTS = 100


def run_tools(tools, documents, repeats):
    """Predictions of every tool, and its time: per turn of `TURN_DOCUMENTS` documents the
    best of `repeats` tries, summed over the turns. The tools take turns document chunk by
    document chunk."""
    chunks = [documents[i:i + TURN_DOCUMENTS] for i in range(0, len(documents), TURN_DOCUMENTS)]
    predictions = {tool: [] for tool in tools}
    seconds = {tool: 0.0 for tool in tools}
    for chunk in chunks:
        best, found = {tool: float("inf") for tool in tools}, {}
        for _ in range(repeats):
            for tool, detector in tools.items():
                started = time.perf_counter()
                found[tool] = [detector(text) for text, _ in chunk]
                best[tool] = min(best[tool], time.perf_counter() - started)
        for tool in tools:
            predictions[tool].extend(found[tool])
            seconds[tool] += best[tool]
    return predictions, seconds


def score(documents, predictions, seconds):
    """Per type: gold, found, predicted, correct; plus documents per second."""
    counts = defaultdict(lambda: {"gold": 0, "found": 0, "predicted": 0, "correct": 0})
    annotated = {kind for _, gold in documents for kind, _, _ in gold}
    for (_, gold), predicted in zip(documents, predictions):
        for span in gold:
            counts[span[0]]["gold"] += 1
            counts[span[0]]["found"] += covered(span, predicted)
        for span in predicted:
            if span[0] in annotated:
                counts[span[0]]["predicted"] += 1
                counts[span[0]]["correct"] += covered(span, gold)
    return {"per_type": dict(counts), "seconds": seconds, "documents_per_second": len(documents) / seconds}


def _ratio(numerator, denominator):
    return round(numerator / denominator, 4) if denominator else None


def summarise(name, results):
    rows = []
    for tool, result in results.items():
        for kind in ENTITY_TYPES:
            c = result["per_type"].get(kind)
            if not c or not (c["gold"] or c["predicted"]):
                continue
            rows.append({
                "dataset": name, "tool": tool, "type": kind, "gold": c["gold"],
                "recall": _ratio(c["found"], c["gold"]), "precision": _ratio(c["correct"], c["predicted"]),
                "predicted": c["predicted"],
            })
    return rows


def print_table(name, results, rows):
    tools = list(results)
    print(f"\n== {name} ==")
    header = f"{'type':<15}{'gold':>6}" + "".join(f"{tool + ' R':>14}{tool + ' P':>14}" for tool in tools)
    print(header)
    by_key = {(r["tool"], r["type"]): r for r in rows}
    for kind in ENTITY_TYPES:
        if not any((tool, kind) in by_key for tool in tools):
            continue
        gold = next(by_key[(tool, kind)]["gold"] for tool in tools if (tool, kind) in by_key)
        line = f"{kind:<15}{gold:>6}"
        for tool in tools:
            row = by_key.get((tool, kind), {})
            line += f"{_fmt(row.get('recall')):>14}{_fmt(row.get('precision')):>14}"
        print(line)
    for tool, result in results.items():
        print(f"{tool}: {result['documents_per_second']:.0f} documents/s ({result['seconds']:.2f} s)")


def _fmt(value):
    return "-" if value is None else f"{value:.3f}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default=str(DEFAULT_DATASET), help="Presidio-generated JSON data set")
    parser.add_argument("--per-locale", type=int, default=250, help="synthetic sentences per locale")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--repeats", type=int, default=5, help="timed tries per tool and turn of documents (the best counts)")
    parser.add_argument("--no-presidio", action="store_true", help="only run Looplabel's detectors")
    parser.add_argument("--output-dir", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)

    tools = {"looplabel": looplabel_detector()}
    presidio_problem = "skipped (--no-presidio)"
    if not args.no_presidio:
        presidio, presidio_problem = presidio_detector()
        if presidio:
            tools["presidio"] = presidio
        else:
            print(f"Presidio not run: {presidio_problem}", file=sys.stderr)
    for run in tools.values():
        run("warm up caches and lazy imports: +1 212 555 0100 on 1 May 2020")

    presidio_documents, unmapped = load_presidio_dataset(Path(args.dataset).resolve())
    synthetic = synthetic_documents(args.per_locale, args.seed)
    sets = {"presidio_generated_large": presidio_documents, "synthetic_faker": [(t, g) for _, t, g in synthetic]}

    report = {
        "seed": args.seed,
        "repeats": args.repeats,
        "per_locale": args.per_locale,
        "dataset_path": str(Path(args.dataset)),
        "dataset_type_mapping": PRESIDIO_DATASET_TYPES,
        "dataset_types_not_covered": unmapped,
        "presidio": "ran" if "presidio" in tools else presidio_problem,
        "sets": {},
    }
    all_rows = []
    for name, documents in sets.items():
        predictions, seconds = run_tools(tools, documents, args.repeats)
        results = {tool: score(documents, predictions[tool], seconds[tool]) for tool in tools}
        rows = summarise(name, results)
        print_table(name, results, rows)
        all_rows.extend(rows)
        report["sets"][name] = {
            "documents": len(documents),
            "documents_per_second": {tool: round(r["documents_per_second"], 1) for tool, r in results.items()},
            "speedup_over_presidio": (
                round(results["looplabel"]["documents_per_second"] / results["presidio"]["documents_per_second"], 1)
                if "presidio" in results else None
            ),
            "rows": rows,
        }
    print(f"\nData set types we do not cover: {unmapped}")

    output = Path(args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    (output / "pii_eval.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with (output / "pii_eval.csv").open("w", newline="", encoding="utf-8") as handle:
        columns = ["dataset", "tool", "type", "gold", "predicted", "recall", "precision"]
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(all_rows)
    print(f"wrote {output / 'pii_eval.json'} and {output / 'pii_eval.csv'}")


if __name__ == "__main__":
    main()
