"""Phone numbers as a data generator writes them, in its own sentence templates: found or not.

A development check, not an evaluation set: it reads the numbers and templates that
presidio-research generates its synthetic PII data from (a checkout of
https://github.com/microsoft/presidio-research, MIT licence, not shipped with Looplabel):

- `--csv`: `presidio_evaluator/data_generator/raw_data/FakeNameGenerator.com_3000.csv`,
  national phone numbers of 30 countries (columns TelephoneNumber and Country);
- `--templates`: `presidio_evaluator/data_generator/raw_data/faker_templates.txt`; its lines
  with `{{phone_number}}` are the sentences with a context word.

Every number goes into every such template, and into three writings without a context word
(after a label, alone, between a name and a street). A number counts as found when a PHONE
span of the whole pipeline (`privacy.detectors.detect`, overlaps resolved) covers at least
half of it, the rule of `pii_eval.py`. Prints the share found per country and writes
`phone_formats_check.json`.

    .venv/bin/python benchmarks/phone_formats_check.py --csv PATH/FakeNameGenerator.com_3000.csv \\
        --templates PATH/faker_templates.txt
"""
import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))

from pii_eval import RESULTS_DIR, covered  # noqa: E402
from privacy.detectors import detect  # noqa: E402

PLACEHOLDER = "{{phone_number}}"
# Writings without a context word: after a neutral label, alone, and in a list with a name and
# a street (where an address may claim the number's last group).
WITHOUT_CONTEXT = ("Details: " + PLACEHOLDER, PLACEHOLDER, "Anna Berg, " + PLACEHOLDER + ", Main Street 4")


def read_numbers(path, number_column, country_column):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = {number_column, country_column} - set(reader.fieldnames or ())
        if missing:
            raise SystemExit(f"{path}: no column {', '.join(sorted(missing))} (columns: {reader.fieldnames})")
        return [(row[country_column], row[number_column]) for row in reader if row[number_column].strip()]


def read_templates(path):
    templates = [line.strip() for line in Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
                 if PLACEHOLDER in line]
    if not templates:
        raise SystemExit(f"{path}: no line with {PLACEHOLDER}")
    # Other placeholders of a line become a plain word, so that only the number is personal data.
    return [_plain_other_placeholders(template) for template in templates]


def _plain_other_placeholders(template):
    head, *rest = template.split(PLACEHOLDER)
    plain = [part.replace("{{", "").replace("}}", "") for part in [head, *rest]]
    return PLACEHOLDER.join(plain)


def found_share(numbers, templates):
    """Per country: (found, total) over every number in every template."""
    found, total = Counter(), Counter()
    for country, number in numbers:
        for template in templates:
            start = template.index(PLACEHOLDER)
            text = template.replace(PLACEHOLDER, number, 1)
            gold = ("PHONE", start, start + len(number))
            predicted = [(span.type, span.start, span.end) for span in detect(text)]
            total[country] += 1
            found[country] += covered(gold, predicted)
    return {country: (found[country], total[country]) for country in sorted(total)}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", required=True, help="FakeNameGenerator CSV of presidio-research")
    parser.add_argument("--templates", required=True, help="presidio-research's faker_templates.txt")
    parser.add_argument("--number-column", default="TelephoneNumber")
    parser.add_argument("--country-column", default="Country")
    parser.add_argument("--output-dir", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    for path in (args.csv, args.templates):
        if not Path(path).is_file():
            parser.error(f"no such file: {path}")
    numbers = read_numbers(args.csv, args.number_column, args.country_column)
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
    (out / "phone_formats_check.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    print(f"\nwrote {out / 'phone_formats_check.json'}")


if __name__ == "__main__":
    main()
