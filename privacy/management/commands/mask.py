"""Mask a JSON Lines file: `manage.py mask --input IN.jsonl --output OUT.jsonl`.

Each input line is a JSON object with a text field; each output line is that object
plus `masked_text` and `spans` ([{type, start, end}] in the original text); the types a new
project masks are masked (privacy.detectors.DEFAULT_MASKED_TYPES). A malformed
line stops the run with its line number and leaves no output file behind: a half-masked
export is easy to mistake for a whole one. Blank lines are skipped.
"""
import json
import os
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from privacy.masking import STRATEGIES, mask_many

BATCH_SIZE = 1000


class Command(BaseCommand):
    help = "Mask personal data in the text field of every record of a JSON Lines file."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, help="JSON Lines file to read")
        parser.add_argument("--output", required=True, help="JSON Lines file to write (replaced on success)")
        parser.add_argument("--strategy", choices=STRATEGIES, default="tag")
        parser.add_argument("--text-field", default="text", help="field holding the text (default: text)")
        parser.add_argument("--scope", default="", help="surrogate scope, e.g. a project id: same value, same fake")

    def handle(self, *args, **options):
        source, target = Path(options["input"]), Path(options["output"])
        if not source.is_file():
            raise CommandError(f"input file {source} does not exist")
        try:
            written = _mask_file(source, target, options["strategy"], options["text_field"], options["scope"])
        except OSError as error:
            raise CommandError(f"cannot read {source} or write {target}: {error.strerror or error}") from None
        self.stdout.write(f"masked {written} records into {target}")


def _mask_file(source, target, strategy, text_field, scope):
    # Written beside the target and renamed at the end, so a failed run leaves nothing.
    descriptor, partial = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with source.open("rb") as lines, os.fdopen(descriptor, "w", encoding="utf-8") as out:
            written = _mask_lines(lines, out, strategy, text_field, scope)
        os.replace(partial, target)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    return written


def _mask_lines(lines, out, strategy, text_field, scope):
    written, batch = 0, []
    for number, raw in enumerate(lines, start=1):
        record = _parse(raw, number, text_field)
        if record is not None:
            batch.append(record)
        if len(batch) == BATCH_SIZE:
            written += _write_masked(batch, out, strategy, text_field, scope)
            batch = []
    return written + _write_masked(batch, out, strategy, text_field, scope)


def _write_masked(records, out, strategy, text_field, scope):
    """Mask a batch of records at once, as imports do: the model runs at its speed and a name
    found in one record is masked in the others."""
    results = mask_many([record[text_field] for record in records], strategy=strategy, scope=scope)
    for record, result in zip(records, results):
        record["masked_text"] = result.masked_text
        record["spans"] = result.spans
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return len(records)


def _parse(raw, number, text_field):
    """The record on one line, None for a blank line.

    Messages name the line and the problem, never the content: it may be personal data.
    """
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise CommandError(f"line {number}: not UTF-8 ({error.reason} at byte {error.start + 1})") from None
    if not line.strip():
        return None
    try:
        record = json.loads(line)
    except json.JSONDecodeError as error:
        raise CommandError(f"line {number}: not valid JSON ({error.msg} at column {error.colno})") from None
    if not isinstance(record, dict):
        raise CommandError(f"line {number}: expected a JSON object, got {type(record).__name__}")
    if text_field not in record:
        raise CommandError(f"line {number}: no {text_field!r} field")
    if not isinstance(record[text_field], str):
        raise CommandError(f"line {number}: field {text_field!r} is not a string")
    return record
