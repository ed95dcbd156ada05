"""Phone numbers as a data generator writes them, in its own sentence templates: found or not.

A development check, not an evaluation set: it reads the numbers and templates that
presidio-research generates its synthetic PII data from (a checkout of
https://github.com/microsoft/presidio-research, MIT licence, not shipped with Looplabel):

- `--csv`: `presidio_evaluator/data_generator/raw_data/FakeNameGenerator.com_3000.csv`,
  national phone numbers of 30 countries (columns TelephoneNumber and Country); without it,
  the example numbers of `phonenumbers` (fixed line and mobile, written nationally) of the
  same 30 countries;
- `--templates`: one or more template files (`faker_templates.txt`, `templates.txt` of
  `presidio_evaluator/data_generator/raw_data/`); their lines with `{{phone_number}}` are
  the sentences with a context word, before or after the number. A line may hold several
  numbers ("... office\\n... fax"): each is filled and counted. Line breaks written as
  escapes ("\\n", as the template files have them) are tried as written and as real breaks.

Every number goes into every such template, and into three writings without a context word
(after a label, alone, between a name and a street). A number counts as found when a PHONE
span of the whole pipeline (`privacy.detectors.detect`, overlaps resolved) covers at least
half of it, the rule of `pii_eval.py`. Prints the share found per country and writes
`phone_formats_check.json` (`phone_formats_check_examples.json` for the example numbers).

    .venv/bin/python benchmarks/phone_formats_check.py [--csv PATH/FakeNameGenerator.com_3000.csv] \\
        --templates PATH/faker_templates.txt PATH/templates.txt
"""
import argparse
import csv
import json
import re
import sys
from collections import Counter
from itertools import product
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

import phonenumbers  # noqa: E402
from pii_eval import RESULTS_DIR, covered  # noqa: E402
from privacy.detectors import detect  # noqa: E402

PLACEHOLDER = "{{phone_number}}"
OTHER_PLACEHOLDER = re.compile(r"\{\{\w+\}\}")
NEUTRAL_WORD = "Lorem"
# Writings without a context word: after a neutral label, alone, and in a list with a name and
# a street (where an address may claim the number's last group).
WITHOUT_CONTEXT = ("Details: " + PLACEHOLDER, PLACEHOLDER, "Anna Berg, " + PLACEHOLDER + ", Main Street 4")
# The countries of the FakeNameGenerator file, for example numbers where it is not at hand.
GENERATOR_COUNTRIES = ("AT", "AU", "BE", "BR", "CA", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB",
                       "GL", "HU", "IS", "IT", "NL", "NO", "NZ", "PL", "PT", "SE", "SI", "TN", "US", "UY", "ZA")
EXAMPLE_TYPES = (phonenumbers.PhoneNumberType.FIXED_LINE, phonenumbers.PhoneNumberType.MOBILE)


def read_numbers(path, number_column, country_column):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {number_column, country_column} - set(reader.fieldnames or ())
        if missing:
            raise SystemExit(f"{path}: no column {', '.join(sorted(missing))} (columns: {reader.fieldnames})")
        return [(row[country_column], row[number_column]) for row in reader if row[number_column].strip()]


def example_numbers():
    """`phonenumbers`' example numbers of the generator's countries, as each writes them at home."""
    numbers = []
    for country, kind in product(GENERATOR_COUNTRIES, EXAMPLE_TYPES):
        example = phonenumbers.example_number_for_type(country, kind)
        if example is not None:
            numbers.append((country, phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.NATIONAL)))
    return numbers


def read_templates(paths):
    templates = []
    for path in paths:
        lines = [line.strip() for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
                 if PLACEHOLDER in line]
        if not lines:
            raise SystemExit(f"{path}: no line with {PLACEHOLDER}")
        for line in lines:
            template = _neutral_other_placeholders(line)
            templates.append(template)
            if "\\n" in template:
                templates.append(template.replace("\\n", "\n"))
    return list(dict.fromkeys(templates))  # a line in both files counts once


def _neutral_other_placeholders(template):
    """Other placeholders become one neutral word, so that only the number is personal data.
    Not the placeholder's own name: "{{postcode}}" as the word "postcode" right before a
    number would name it as another kind of number, which a real postcode does not."""
    head, *rest = template.split(PLACEHOLDER)
    return PLACEHOLDER.join(OTHER_PLACEHOLDER.sub(NEUTRAL_WORD, part) for part in [head, *rest])


def found_share(numbers, templates):
    """Per country: (found, total) over every number in every template."""
    found, total = Counter(), Counter()
    for country, number in numbers:
        for template in templates:
            text, gold = _filled(template, number)
            predicted = [(span.type, span.start, span.end) for span in detect(text)]
            total[country] += len(gold)
            found[country] += sum(covered(span, predicted) for span in gold)
    return {country: (found[country], total[country]) for country in sorted(total)}


def _filled(template, number):
    """The template with the number in every placeholder, and the number's spans."""
    head, *rest = template.split(PLACEHOLDER)
    text, gold = head, []
    for piece in rest:
        gold.append(("PHONE", len(text), len(text) + len(number)))
        text += number + piece
    return text, gold


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", help="FakeNameGenerator CSV of presidio-research (default: example numbers)")
    parser.add_argument("--templates", required=True, nargs="+", help="presidio-research's template files")
    parser.add_argument("--number-column", default="TelephoneNumber")
    parser.add_argument("--country-column", default="Country")
    parser.add_argument("--output-dir", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    for path in [args.csv, *args.templates]:
        if path is not None and not Path(path).is_file():
            parser.error(f"no such file: {path}")
    if args.csv:
        numbers = read_numbers(args.csv, args.number_column, args.country_column)
    else:
        numbers = example_numbers()
    results = {}
    for name, templates in (("with a context word", read_templates(args.templates)),
                            ("without a context word", list(WITHOUT_CONTEXT))):
        per_country = found_share(numbers, templates)
        hits, total = (sum(values) for values in zip(*per_country.values()))
        results[name] = {"templates": len(templates), "found": hits, "total": total,
                         "per_country": {c: {"found": f, "total": t} for c, (f, t) in per_country.items()}}
        print(f"\n{name}: {hits / total:.3f} found ({total - hits} missed of {total}; "
              f"{len(numbers)} numbers x {len(templates)} templates)")
        for country, (hit, count) in per_country.items():
            if hit < count:
                print(f"  {country}: {hit / count:.3f} ({count - hit} missed)")
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / ("phone_formats_check.json" if args.csv else "phone_formats_check_examples.json")
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
