"""PII detection benchmark: Looplabel's detectors side by side with Microsoft Presidio and spaCy.

Two evaluation sets, never used for tuning:
- the Presidio-generated data set (`--dataset`, default ../shared/datasets/pii/
  presidio_generated_large.json relative to the repository root), its entity types
  mapped onto ours (PRESIDIO_DATASET_TYPES); the types we do not detect keep their names;
- synthetic sentences in six Faker locales (en_US, en_GB, de_DE, fr_FR, zh_CN, en_IN),
  templates with known spans, fixed seed.

Three tools on the same texts (benchmarks/_pii_common.py): `looplabel`, the configured
detector set through `privacy.detectors.detect_many`; `presidio`, Presidio's AnalyzerEngine
with its spaCy NLP engine on the spaCy model Looplabel uses (en_core_web_sm 3.8, from the
installed package's directory: nothing is downloaded); `spacy`, that model alone.

Per tool and type:
- R (typed recall): a gold span counts as found when one predicted span of the same type
  covers at least half of it; P (precision): a predicted span counts as correct when at least
  half of it lies in one gold span of its type. Only our types; P only for types the set
  annotates;
- M (masked recall): a gold span counts as masked when predicted spans of any type cover at
  least half of its characters: what matters for privacy is whether the characters are hidden.
Per tool: the share of other words (whitespace-separated, overlapping no gold span of any
type) that are at least half masked; texts per second of detection alone.
On the synthetic set that share comes from its German and French sentences, where an English
NER model tags ordinary words; Chinese sentences have no whitespace-separated word outside
their gold spans.

Every tool's output goes through the same overlap resolution (`privacy.spans.resolve_overlaps`).
The tools take turns on chunks of `--batch` texts (256; one batch call each), each chunk
`--repeats` times; the best try per chunk counts, so a burst of load from elsewhere on a
shared machine hits all tools alike. Looplabel masks a name found once wherever it recurs in
the same batch, so its recall depends on `--batch`.

    .venv/bin/python benchmarks/pii_eval.py [--dataset PATH] [--per-locale 250] [--repeats 5]
        [--limit N] [--batch 256] [--tools looplabel,presidio,spacy] [--presidio-organizations]
"""
import argparse
import csv
import json
import random
import re
from collections import defaultdict
from pathlib import Path

from _pii_common import (
    BATCH_SIZE,
    REPO_ROOT,
    RESULTS_DIR,
    looplabel_tool,
    masked,
    presidio_tool,
    run_in_turns,
    share,
    spacy_tool,
    warm_up,
)
from faker import Faker

from privacy.detectors import ENTITY_TYPES

DEFAULT_DATASET = REPO_ROOT / ".." / "shared" / "datasets" / "pii" / "presidio_generated_large.json"
SEED = 20240611
TOOLS = ("looplabel", "presidio", "spacy")
LOCALES = 6  # of the synthetic set

# The data set's entity types -> ours; None: a type we do not detect (it keeps its name).
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
            gold.append((ours or span["entity_type"], span["start_position"], span["end_position"]))
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
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
           "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
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


# --- scoring -----------------------------------------------------------------------
def covered(span, others):
    """One span of `others` of the same type covers at least half of `span`."""
    kind, start, end = span
    need = (end - start) / 2
    return any(t == kind and min(end, e) - max(start, s) >= need for t, s, e in others)


WORD = re.compile(r"\S+")


def other_words(text, gold):
    """(start, end) of the whitespace-separated words that overlap no gold span."""
    return [(w.start(), w.end()) for w in WORD.finditer(text)
            if not any(s < w.end() and e > w.start() for _, s, e in gold)]


def score(documents, predictions, seconds):
    """Per type: gold, found (typed), masked (any type), predicted, correct; other words masked; texts/s."""
    counts = defaultdict(lambda: {"gold": 0, "found": 0, "masked": 0, "predicted": 0, "correct": 0})
    annotated = {kind for _, gold in documents for kind, _, _ in gold} & set(ENTITY_TYPES)
    words = words_masked = 0
    for (text, gold), predicted in zip(documents, predictions):
        for span in gold:
            counts[span[0]]["gold"] += 1
            counts[span[0]]["found"] += covered(span, predicted)
            counts[span[0]]["masked"] += masked(predicted, span[1], span[2])
        for span in predicted:
            if span[0] in annotated:
                counts[span[0]]["predicted"] += 1
                counts[span[0]]["correct"] += covered(span, gold)
        for start, end in other_words(text, gold):
            words += 1
            words_masked += masked(predicted, start, end)
    return {"per_type": dict(counts), "seconds": seconds, "texts_per_second": len(documents) / seconds,
            "other_words": words, "other_words_masked": share(words_masked, words)}


def type_order(results):
    seen = {kind for result in results.values() for kind, c in result["per_type"].items() if c["gold"] or c["predicted"]}
    return [t for t in ENTITY_TYPES if t in seen] + sorted(seen - set(ENTITY_TYPES))


def summarise(name, results):
    rows = []
    for tool, result in results.items():
        for kind in type_order(results):
            c = result["per_type"].get(kind, {"gold": 0, "found": 0, "masked": 0, "predicted": 0, "correct": 0})
            ours = kind in ENTITY_TYPES
            rows.append({
                "dataset": name, "tool": tool, "type": kind, "gold": c["gold"],
                "predicted": c["predicted"] if ours else None,
                "recall": share(c["found"], c["gold"]) if ours else None,
                "precision": share(c["correct"], c["predicted"]),
                "masked_recall": share(c["masked"], c["gold"]),
                "other_words_masked": result["other_words_masked"],
                "texts_per_s": round(result["texts_per_second"], 1),
            })
    return rows


def print_table(name, results, rows):
    tools = list(results)
    print(f"\n== {name} ==  R: typed recall, P: typed precision, M: masked recall (spans of any type)")
    print(f"{'type':<18}{'gold':>6}" + "".join(f"{tool[:9] + ' ' + m:>12}" for tool in tools for m in "RPM"))
    by_key = {(r["tool"], r["type"]): r for r in rows}
    for kind in type_order(results):
        gold = next(by_key[(tool, kind)]["gold"] for tool in tools)
        if not gold:
            continue
        line = f"{kind:<18}{gold:>6}"
        for tool in tools:
            row = by_key[(tool, kind)]
            line += "".join(f"{_fmt(row[key]):>12}" for key in ("recall", "precision", "masked_recall"))
        print(line)
    words = next(iter(results.values()))["other_words"]
    print(f"{'tool':<12}{'other words masked':>20}{'texts/s':>10}{'seconds':>10}   ({words} other words)")
    for tool, result in results.items():
        print(f"{tool:<12}{_fmt(result['other_words_masked']):>20}{result['texts_per_second']:>10.0f}"
              f"{result['seconds']:>10.2f}")


def _fmt(value):
    return "-" if value is None else f"{value:.3f}"


def build_tools(names, presidio_organizations):
    tools, problems = {}, {}
    factories = {"looplabel": lambda: (looplabel_tool(), None), "spacy": spacy_tool,
                 "presidio": lambda: presidio_tool(keep_organizations=presidio_organizations)}
    for name in names:
        tool, problem = factories[name]()
        if tool:
            tools[name] = tool
        else:
            problems[name] = problem
            print(f"{name} not run: {problem}")
    return tools, problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", default=str(DEFAULT_DATASET), help="Presidio-generated JSON data set")
    parser.add_argument("--per-locale", type=int, default=250, help="synthetic sentences per locale")
    parser.add_argument("--limit", type=int, default=0,
                        help="first N texts of the Presidio set and about N synthetic ones (0: all)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--repeats", type=int, default=5, help="timed tries per tool and turn of texts (the best counts)")
    parser.add_argument("--batch", type=int, default=BATCH_SIZE,
                        help="texts per detection call and timed turn (Looplabel masks recurring names per batch)")
    parser.add_argument("--tools", default=",".join(TOOLS), help=f"comma-separated, of {', '.join(TOOLS)}")
    parser.add_argument("--no-presidio", action="store_true", help="leave Presidio out")
    parser.add_argument("--presidio-organizations", action="store_true",
                        help="keep Presidio's ORGANIZATION findings (its default configuration ignores them)")
    parser.add_argument("--output-dir", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    names = [n for n in args.tools.split(",") if n and not (args.no_presidio and n == "presidio")]
    if set(names) - set(TOOLS):
        parser.error(f"unknown tools: {', '.join(sorted(set(names) - set(TOOLS)))}")

    tools, problems = build_tools(names, args.presidio_organizations)
    if not tools:
        parser.error("no tool to run")
    warm_up(tools)
    presidio_documents, unmapped = load_presidio_dataset(Path(args.dataset).resolve())
    per_locale = max(1, args.limit // LOCALES) if args.limit else args.per_locale
    synthetic = synthetic_documents(per_locale, args.seed)
    if args.limit:
        presidio_documents = presidio_documents[: args.limit]
    sets = {"presidio_generated_large": presidio_documents, "synthetic_faker": [(t, g) for _, t, g in synthetic]}

    report = {
        "seed": args.seed, "repeats": args.repeats, "batch": args.batch, "per_locale": per_locale,
        "limit": args.limit or None,
        "dataset_path": str(Path(args.dataset)),
        "dataset_type_mapping": PRESIDIO_DATASET_TYPES,
        "dataset_types_not_covered": unmapped,
        "tools": {name: "ran" if name in tools else problems.get(name, "not asked for") for name in TOOLS},
        "presidio_organizations": args.presidio_organizations,
        "sets": {},
    }
    all_rows = []
    for name, documents in sets.items():
        predictions, seconds = run_in_turns(tools, [text for text, _ in documents], args.repeats, args.batch)
        results = {tool: score(documents, predictions[tool], seconds[tool]) for tool in tools}
        rows = summarise(name, results)
        print_table(name, results, rows)
        all_rows.extend(rows)
        report["sets"][name] = {
            "documents": len(documents),
            "other_words": next(iter(results.values()))["other_words"] if results else 0,
            "texts_per_second": {tool: round(r["texts_per_second"], 1) for tool, r in results.items()},
            "other_words_masked": {tool: r["other_words_masked"] for tool, r in results.items()},
            "looplabel_speedup": {
                tool: round(results["looplabel"]["texts_per_second"] / r["texts_per_second"], 1)
                for tool, r in results.items() if tool != "looplabel" and "looplabel" in results
            },
            "rows": rows,
        }
    print(f"\nData set types we do not cover (kept under their names, counted for M only): {unmapped}")

    output = Path(args.output_dir)
    output.mkdir(parents=True, exist_ok=True)
    (output / "pii_eval.json").write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    with (output / "pii_eval.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(all_rows[0]) if all_rows else ["dataset"])
        writer.writeheader()
        writer.writerows(all_rows)
    print(f"wrote {output / 'pii_eval.json'} and {output / 'pii_eval.csv'}")


if __name__ == "__main__":
    main()
