"""Reading an upload: its format, a check of its head, and its rows one at a time.

The checks run on the first bytes when the import starts, so the uploader hears about a
wrong encoding or a missing column at once; the readers run in the worker and turn what
they cannot read into rows with an error, so one bad row never aborts a file.
"""
import codecs
import csv
import io
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ...errors import InvalidInput

FORMATS = ("csv", "jsonl", "txt")
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "txt"}
MAX_TEXT_CHARS = 100_000
csv.field_size_limit(4 * MAX_TEXT_CHARS)


@dataclass
class Row:
    number: int  # line in the file, 1-based
    text: str | None = None
    label: str | None = None
    external_id: str = ""
    metadata: dict = field(default_factory=dict)
    error: str | None = None


def normalise_whitespace(text: str) -> str:
    """NFC, unified newlines, runs of spaces collapsed, at most one blank line in a row."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    out, blank = [], False
    for line in lines:
        if line or not blank:
            out.append(line)
        blank = not line
    return "\n".join(out).strip()


# --- checking the head of an upload -----------------------------------------------------

def detect_format(file_format: str | None, filename: str) -> str:
    if file_format:
        if file_format not in FORMATS:
            raise InvalidInput(f"Unknown format {file_format!r}; use one of: {', '.join(FORMATS)}.")
        return file_format
    fmt = EXTENSIONS.get(Path(filename or "").suffix.lower())
    if fmt is None:
        raise InvalidInput("Cannot tell the file format from its name; pass format=csv, jsonl or txt.")
    return fmt


def check_encoding(head: bytes, encoding: str, complete: bool) -> str:
    """The decoded head; `complete` says the head is the whole file, so it may not end mid-character."""
    try:
        decoder = codecs.getincrementaldecoder(encoding)()
    except LookupError:
        raise InvalidInput(f"Unknown encoding {encoding!r}.") from None
    try:
        return decoder.decode(head, final=complete)
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"The file is not valid {encoding} (byte 0x{head[exc.start]:02x} at offset {exc.start}). "
            "Save it as UTF-8 or pass the right encoding, e.g. encoding=latin-1."
        ) from None


def check_fields(head_text: str, fmt: str, text_field: str, label_field: str | None, id_field: str | None):
    if fmt == "txt":
        return
    if fmt == "csv":
        present, where = _csv_header(head_text), "in the CSV header"
    else:
        present, where = _first_jsonl_keys(head_text), "in the first JSONL record"
    for role, name in (("text_field", text_field), ("label_field", label_field), ("id_field", id_field)):
        if name and name not in present:
            raise InvalidInput(f"{role} {name!r} is not {where}; found: {', '.join(sorted(present)) or 'nothing'}.")


def _csv_header(head_text: str) -> set:
    first_line = next(csv.reader(io.StringIO(head_text)), None)
    if not first_line:
        raise InvalidInput("The CSV file is empty: it needs a header row.")
    return {name.strip() for name in first_line}


def _first_jsonl_keys(head_text: str) -> set:
    first = next((line for line in head_text.splitlines() if line.strip()), None)
    if first is None:
        raise InvalidInput("The JSONL file is empty.")
    try:
        record = json.loads(first)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The first line is not valid JSON: {exc.msg} (column {exc.colno}).") from None
    if not isinstance(record, dict):
        raise InvalidInput("Each JSONL line must be a JSON object.")
    return set(record)


# --- reading rows ------------------------------------------------------------------------

def open_text(path, encoding):
    binary = open(path, "rb")
    # "replace" keeps one bad byte from aborting the whole file; such rows are rejected.
    return binary, io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="")


def _csv_rows(text_stream, params):
    reader = csv.DictReader(text_stream)
    reader.fieldnames = [name.strip().lstrip("\ufeff") for name in (reader.fieldnames or [])]
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Row(number=reader.line_num, error=f"malformed CSV: {exc}")
            continue
        if None in record:
            yield Row(number=reader.line_num, error=f"more fields than the header has ({len(reader.fieldnames)})")
            continue
        yield _row_from_record(reader.line_num, record, params)


def _jsonl_rows(text_stream, params):
    for number, line in enumerate(text_stream, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Row(number=number, error=f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(record, dict):
            yield Row(number=number, error="not a JSON object")
            continue
        yield _row_from_record(number, record, params)


def _txt_rows(text_stream, params):
    for number, line in enumerate(text_stream, start=1):
        yield Row(number=number, text=line.lstrip("\ufeff") if number == 1 else line)


def _row_from_record(number, record, params):
    text_field, label_field, id_field = params["text_field"], params["label_field"], params["id_field"]
    text = record.get(text_field)
    if text is None:
        return Row(number=number, error=f"no {text_field!r} field")
    if not isinstance(text, str):
        return Row(number=number, error=f"{text_field!r} is not a string")
    label = record.get(label_field) if label_field else None
    if label is not None and not isinstance(label, str):
        label = str(label)
    external_id = record.get(id_field) if id_field else None
    skip = {text_field, label_field, id_field}
    metadata = {k: v for k, v in record.items() if k not in skip and k is not None}
    return Row(number=number, text=text, label=(label or "").strip() or None,
               external_id="" if external_id is None else str(external_id)[:200], metadata=metadata)


READERS = {"csv": _csv_rows, "jsonl": _jsonl_rows, "txt": _txt_rows}
