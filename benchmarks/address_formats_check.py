"""Street addresses as a data generator writes them, in its own sentence templates: found or not.

A development set, not an evaluation set: it regenerates sentences the way presidio-research
(https://github.com/microsoft/presidio-research, MIT licence, not shipped with Looplabel) wrote
its synthetic PII data at commit f575731 (`notebooks/1_Generate_data.ipynb` there), from the
generator's own raw data, with our own random draws:

- `--csv`: `presidio_evaluator/data_generator/raw_data/FakeNameGenerator.com_3000.csv`, fake
  people of 30 countries. A template's placeholder takes the value of a sampled person's column
  when there is one (`RecordGenerator`; each template, and each format that `{{address}}` or
  `{{street_address}}` expands to, samples a person of its own), with the columns renamed as
  `PresidioDataGenerator.update_fake_name_generator_df` renamed them: `{{street_name}}` is the
  person's whole StreetAddress in their country's writing ("Via Pisanelli 104", "96 rue de
  Penthièvre", "ul. Elbląska 97"), `{{city}}` their City, `{{state_abbr}}` their State (an
  empty one written "nan");
- `--templates`: `presidio_evaluator/data_generator/raw_data/templates.txt` ("\\n" written as
  escapes become line breaks). Later versions of the file add lines at its end (the copy in the
  presidio-evaluator 0.3.2 wheel has 210; at f575731 it ended after its line 182):
  `--template-lines 182` keeps the first 182;
- any other placeholder comes from Faker en_US with the generator's `AddressProviderNew` added
  (`faker_extensions/providers.py`): its sixteen `address_formats`, drawn alike (Faker weighs
  the choices of the providers it builds itself, not of one added by hand, so the weights they
  carry do not count), on Faker's base address provider, which replaces en_US's own street,
  city, building number and postcode: a building number is two digits, a street without a
  person's "Reyes Street", a town "Todd Ville"; `--provider en_US` takes en_US's instead, as
  later versions of the generator do;
- a twentieth of the sentences are lower-cased whole (`lower_case_ratio=0.05`);
- gold types by the notebook's translator: address, street_name, building_number,
  secondary_address, postcode, zipcode and state_abbr are ADDRESS; city, country and
  nationality LOCATION.

The people are split by their Number: `--people even` (default) for development, `--people odd`
to check on streets never looked at. Scores as `pii_eval.py` counts them, over the whole
pipeline (`privacy.detectors.detect_many`, overlaps resolved): R (an ADDRESS span covers at
least half of a gold address), P (at least half of an ADDRESS span lies in one gold address),
M (spans of any type cover at least half of it), R per placeholder, and the share of the
other words masked. `--show N` prints N missed gold addresses and N wrong ADDRESS spans.

`--plain` instead lists the ADDRESS spans found in ordinary text: the first 2,000 sentences of
Financial PhraseBank and of the movie reviews (../shared/datasets), where every one is false.

    .venv/bin/python benchmarks/address_formats_check.py --csv PATH/FakeNameGenerator.com_3000.csv \\
        --templates PATH/templates.txt [--template-lines 182] [--sentences 4000] [--people even|odd]
        [--provider base|en_US] [--seed N] [--show 30]
    .venv/bin/python benchmarks/address_formats_check.py --plain
"""
import argparse
import csv
import json
import random
import re
import sys
from collections import Counter, OrderedDict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _pii_common import REPO_ROOT, RESULTS_DIR, masked  # sets up Django
from faker import Faker
from faker.providers.address import Provider as BaseAddressProvider
from faker.providers.address.en_US import Provider as UsAddressProvider
from pii_eval import covered, other_words

from privacy.detectors import detect_many

SHARED = REPO_ROOT / ".." / "shared" / "datasets"
SEED = 20240612
LOWER_CASE_RATIO = 0.05
# AddressProviderNew.address_formats at f575731: (format, weight), the weights unused (above).
ADDRESS_FORMATS = OrderedDict((
    ("{{building_number}} {{street_name}} {{secondary_address}} {{city}} {{state}}", 5.0),
    ("{{building_number}} {{street_name}} {{secondary_address}} {{city}} {{state_abbr}}", 5.0),
    ("{{building_number}} {{street_name}} {{secondary_address}} {{city}} {{country}}", 5.0),
    ("{{building_number}} {{street_name}}\n {{secondary_address}}\n {{city}}\n {{country}}", 5.0),
    ("{{building_number}} {{street_name}}\n {{secondary_address}}\n {{city}}\n {{country}} {{postcode}}", 5.0),
    ("{{street_name}} {{street_name}}\n {{secondary_address}}\n {{city}}\n {{country}} {{postcode}}", 5.0),
    ("the corner of {{street_name}} and {{street_name}}", 3.0),
    ("{{first_name}} and {{street_name}}", 3.0),
    ("{{street_address}}, {{city}}, {{country}}", 5.0),
    ("{{street_address}} {{secondary_address}}, {{city}}, {{country}} {{postcode}}", 5.0),
    ("{{street_address}}\n{{city}}, {{state_abbr}} {{postcode}}", 25.0),
    ("{{street_address}}\n{{city}}\n, {{state_abbr}}\n {{postcode}}", 25.0),
    ("{{street_address}}\n{{city}}\n, {{state_abbr}}\n {{country}} {{postcode}}", 25.0),
    ("{{military_apo}}\nAPO {{military_state}} {{postcode}}", 1.0),
    ("{{military_ship}} {{last_name}}\nFPO {{military_state}} {{postcode}}", 1.0),
    ("{{military_dpo}}\nDPO {{military_state}} {{postcode}}", 1.0),
))
# The notebook's translator, for the placeholders of the templates.
GOLD_TYPES = {
    **dict.fromkeys(("address", "street_name", "building_number", "postcode", "secondary_address", "zipcode",
                     "state_abbr"), "ADDRESS"),
    **dict.fromkeys(("city", "country", "nationality"), "LOCATION"),
    **dict.fromkeys(("person", "name", "name_female", "name_male", "first_name", "first_name_male",
                     "first_name_female", "first_name_nonbinary", "last_name", "last_name_male",
                     "last_name_female", "prefix_male"), "PERSON"),
    **dict.fromkeys(("organization", "company"), "ORGANIZATION"),
    **dict.fromkeys(("date_time", "date_of_birth", "day_of_week"), "DATE"),
    "credit_card_number": "CREDIT_CARD", "iban": "IBAN", "phone_number": "PHONE", "url": "URL", "ssn": "US_SSN",
    "email": "EMAIL", "ip_address": "IP_ADDRESS", "prefix_female": "PREFIX", "job": "TITLE",
    "us_driver_license": "US_DRIVER_LICENSE",
}
# The record's columns, as update_fake_name_generator_df renamed FakeNameGenerator's.
RECORD_COLUMNS = {"StreetAddress": "street_name", "City": "city", "State": "state_abbr", "StateFull": "state",
                  "GivenName": "first_name", "Surname": "last_name", "EmailAddress": "email",
                  "TelephoneNumber": "phone_number", "Occupation": "job", "Title": "prefix"}
PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def address_provider(base):
    class AddressProviderNew(base):
        address_formats = ADDRESS_FORMATS
    return AddressProviderNew


def make_faker(provider, seed):
    fake = Faker("en_US")
    fake.add_provider(address_provider(BaseAddressProvider if provider == "base" else UsAddressProvider))
    fake.seed_instance(seed)
    return fake


def read_people(path, half):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    parity = 0 if half == "even" else 1
    return [{ours: row[theirs] or "nan" for theirs, ours in RECORD_COLUMNS.items()}
            for row in rows if int(row["Number"]) % 2 == parity]


def read_templates(path, limit=0):
    lines = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()[:limit or None]
    return [line.replace("\\n", "\n").strip() for line in lines if line.strip()]


class Filler:
    """Fills templates as the generator's RecordGenerator does: each template, and each format a
    placeholder expands to ({{address}}, {{street_address}}), draws one person and takes from
    them the columns it has, the first time each is asked for; Faker the rest."""

    def __init__(self, people, provider, seed):
        self.people, self.fake, self.rng = people, make_faker(provider, seed), random.Random(seed)
        self.street_address_formats = (BaseAddressProvider if provider == "base" else UsAddressProvider)\
            .street_address_formats

    def fill(self, template):
        """(text, [(placeholder, start, end)])."""
        record, parts, found, position, at = dict(self.rng.choice(self.people)), [], [], 0, 0
        for match in PLACEHOLDER.finditer(template):
            literal = template[at:match.start()]
            parts.append(literal)
            position += len(literal)
            name = match.group(1)
            value = record.pop(name) if name in record else self.value(name)
            found.append((name, position, position + len(value)))
            parts.append(value)
            position += len(value)
            at = match.end()
        parts.append(template[at:])
        return "".join(parts), found

    def value(self, name):
        fake = self.fake
        if name == "address":
            return self.fill(fake.random_element(ADDRESS_FORMATS))[0]
        if name == "street_address":
            return self.fill(fake.random_element(self.street_address_formats))[0]
        if name in ("person", "name"):
            return fake.name()
        if name == "organization":
            return fake.company()
        if name == "nationality":
            return self.rng.choice(["German", "Indian", "Brazilian", "Japanese", "Kenyan", "Canadian"])
        if name == "ip_address":
            return fake.ipv4()
        if name == "us_driver_license":
            return fake.bothify("?#######").upper()
        if name == "date_time":
            return fake.date_time().strftime("%B %d, %Y")
        if hasattr(fake, name):
            return str(getattr(fake, name)())
        return fake.word()  # a placeholder of a later template (age, religion...): no address

    def sentence(self, template):
        """The filled template, a twentieth lower-cased, and its gold spans (type, start, end, placeholder)."""
        text, found = self.fill(template)
        if self.rng.random() < LOWER_CASE_RATIO:
            text = text.lower()
        return text, [(GOLD_TYPES.get(name, name.upper()), start, end, name) for name, start, end in found]


def generate(templates, people, count, provider, seed):
    filler = Filler(people, provider, seed)
    return [filler.sentence(filler.rng.choice(templates)) for _ in range(count)]


def score(documents, predictions, show):
    found, total, masked_count, predicted, correct = Counter(), Counter(), 0, 0, 0
    misses, wrong, words, words_masked = [], [], 0, 0
    for (text, gold), spans in zip(documents, predictions):
        typed = [(kind, start, end) for kind, start, end, _ in gold]
        for kind, start, end, name in gold:
            if kind != "ADDRESS":
                continue
            total[name] += 1
            hit = covered((kind, start, end), spans)
            found[name] += hit
            masked_count += masked(spans, start, end)
            if not hit:
                misses.append((name, text[start:end], text))
        for kind, start, end in spans:
            if kind == "ADDRESS":
                predicted += 1
                right = covered((kind, start, end), typed)
                correct += right
                if not right:
                    wrong.append((text[start:end], text))
        for start, end in other_words(text, typed):
            words += 1
            words_masked += masked(spans, start, end)
    gold_count = sum(total.values())
    result = {
        "gold": gold_count, "recall": sum(found.values()) / gold_count, "masked_recall": masked_count / gold_count,
        "predicted": predicted, "precision": correct / predicted if predicted else None,
        "other_words_masked": words_masked / words,
        "recall_per_placeholder": {name: {"found": found[name], "gold": total[name]} for name in sorted(total)},
    }
    rng = random.Random(0)
    for title, items in (("missed", misses), ("wrong", wrong)):
        if show and items:
            print(f"\n-- {title} ({len(items)}) --")
            for item in rng.sample(items, min(show, len(items))):
                print(" ", " | ".join(repr(part) for part in item))
    return result


def check_generated(args):
    people = read_people(args.csv, args.people)
    templates = read_templates(args.templates, args.template_lines)
    documents = generate(templates, people, args.sentences, args.provider, args.seed)
    predictions = [[(s.type, s.start, s.end) for s in spans] for spans in detect_many([t for t, _ in documents])]
    result = score(documents, predictions, args.show)
    print(f"\n{args.sentences} sentences, people {args.people}, provider {args.provider}, "
          f"template lines {args.template_lines or 'all'}: "
          f"ADDRESS gold {result['gold']}  R {result['recall']:.3f}  P {result['precision']:.3f}  "
          f"M {result['masked_recall']:.3f}  other words masked {result['other_words_masked']:.4f}")
    for name, counts in result["recall_per_placeholder"].items():
        print(f"  {name:<18} {counts['found']:>5} / {counts['gold']:<5} {counts['found'] / counts['gold']:.3f}")
    return {"sentences": args.sentences, "people": args.people, "provider": args.provider, "seed": args.seed,
            "template_lines": args.template_lines or None, **result}


def plain_texts(limit):
    with open(SHARED / "financial_phrasebank" / "all-data.csv", newline="", encoding="latin-1") as handle:
        news = [row["news"] for row, _ in zip(csv.DictReader(handle), range(limit))]
    with open(SHARED / "movie_reviews" / "rt-polarity.csv", newline="", encoding="utf-8") as handle:
        reviews = [row["text"] for row, _ in zip(csv.DictReader(handle), range(limit))]
    return {"financial_phrasebank": news, "movie_reviews": reviews}


def check_plain(limit):
    result = {}
    for name, texts in plain_texts(limit).items():
        hits = [(text[s.start:s.end], text) for text, spans in zip(texts, detect_many(texts))
                for s in spans if s.type == "ADDRESS"]
        result[name] = {"texts": len(texts), "texts_with_an_address": len({text for _, text in hits}),
                        "addresses": [value for value, _ in hits]}
        print(f"\n{name}: {result[name]['texts_with_an_address']} of {len(texts)} texts with an ADDRESS")
        for value, text in hits:
            print(f"  {value!r}  in  {text[:160]!r}")
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", help="FakeNameGenerator.com_3000.csv of presidio-research")
    parser.add_argument("--templates", help="templates.txt of presidio-research")
    parser.add_argument("--sentences", type=int, default=4000)
    parser.add_argument("--template-lines", type=int, default=0, help="the first N lines of the templates (0: all)")
    parser.add_argument("--people", choices=("even", "odd"), default="even",
                        help="the people with an even Number (development) or an odd one (check)")
    parser.add_argument("--provider", choices=("base", "en_US"), default="base",
                        help="the address provider AddressProviderNew extends")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--show", type=int, default=0, help="print this many misses and wrong spans")
    parser.add_argument("--plain", action="store_true", help="list ADDRESS spans found in ordinary text")
    parser.add_argument("--plain-limit", type=int, default=2000)
    parser.add_argument("--output-dir", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    if args.plain:
        result, name = check_plain(args.plain_limit), "address_plain_text_check.json"
    else:
        for path in (args.csv, args.templates):
            if not path or not Path(path).is_file():
                parser.error(f"--csv and --templates must name the generator's files (got {path})")
        lines = f"_{args.template_lines}" if args.template_lines else ""
        result, name = check_generated(args), f"address_formats_check_{args.people}_{args.provider}{lines}.json"
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / name).write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"\nwrote {out / name}")


if __name__ == "__main__":
    main()
