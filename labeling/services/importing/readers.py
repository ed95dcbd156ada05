"""Reading an upload: its format, a check of its head, and its rows one at a time.

The checks run when the import starts (the encoding on the first bytes, the fields on the
first record), so the uploader hears about a wrong encoding or a missing column at once;
the readers run in the worker and turn what they cannot read or the database cannot store
into rows with an error, so one bad row never aborts a file.
"""
import codecs
import csv
import io
import json
import math
import sys
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from privacy.crypto import decrypt_stream

from ...errors import InvalidInput

FORMATS = ("csv", "jsonl", "txt")
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "txt"}
MAX_TEXT_CHARS = 100_000
MAX_FIELD_CHARS = 4 * MAX_TEXT_CHARS  # any field, before whitespace is normalised
MAX_NESTING = 64  # lists and objects in a JSONL record; deeper ones overflow the JSON encoders
TOO_DEEP = f"nested deeper than {MAX_NESTING} levels"
# The csv module reads every field to its end: one that it gave up on half-way would leave the
# rest of the field to be read as rows of its own. Fields are measured per row (_unstorable);
# the upload's size bounds what a field can take.
csv.field_size_limit(sys.maxsize)


@dataclass
class Row:
    number: int  # line in the file, 1-based
    text: str | None = None
    label: str | None = None
    external_id: str = ""  # as in the file: the worker stores only its pseudonym
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


def check_encoding(head: bytes, encoding: str, complete: bool) -> None:
    """`encoding` must be a text encoding that decodes the head; `complete` says the head is the whole file."""
    try:
        text_encoding = codecs.lookup(encoding)._is_text_encoding
    except LookupError:
        raise InvalidInput(f"Unknown encoding {encoding!r}.") from None
    if not text_encoding:  # rot13, zlib, base64 and the like turn bytes into bytes or text into text
        raise InvalidInput(f"{encoding!r} is not a text encoding; pass one such as utf-8, latin-1 or utf-16.")
    try:
        codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
    except UnicodeDecodeError as exc:
        raise InvalidInput(
            f"The file is not valid {encoding} (byte 0x{head[exc.start]:02x} at offset {exc.start}). "
            "Save it as UTF-8 or pass the right encoding, e.g. encoding=latin-1."
        ) from None
    except UnicodeError as exc:  # codecs such as punycode or idna refuse text in their own terms
        raise InvalidInput(f"The file cannot be read as {encoding}: {exc}.") from None


def check_fields(path, fmt: str, encoding: str, text_field: str, label_field: str | None, id_field: str | None):
    """The named fields must be in the first record, read whole and the way the worker reads it."""
    if fmt == "txt":
        return
    encrypted, text_stream = open_text(path, encoding)
    with encrypted, text_stream:
        if fmt == "csv":
            present, where = _csv_header(text_stream), "in the CSV header"
        else:
            present, where = _first_jsonl_keys(text_stream), "in the first JSONL record"
    for role, name in (("text_field", text_field), ("label_field", label_field), ("id_field", id_field)):
        if name and name not in present:
            raise InvalidInput(f"{role} {name!r} is not {where}; found: {', '.join(sorted(present)) or 'nothing'}.")


def _csv_header(text_stream) -> set:
    first_line = next(csv.reader(text_stream), None)
    if not first_line:
        raise InvalidInput("The CSV file is empty: it needs a header row.")
    return {name.strip() for name in first_line}


def _first_jsonl_keys(text_stream) -> set:
    first = next((line for line in text_stream if line.strip()), None)
    if first is None:
        raise InvalidInput("The JSONL file is empty.")
    try:
        record = json.loads(first)
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The first line is not valid JSON: {exc.msg} (column {exc.colno}).") from None
    except RecursionError:
        raise InvalidInput(f"The first line is {TOO_DEEP}.") from None
    if not isinstance(record, dict):
        raise InvalidInput("Each JSONL line must be a JSON object.")
    return set(record)


# --- reading rows ------------------------------------------------------------------------

def open_text(path, encoding):
    """The stored upload as (encrypted, text) streams; a UTF-8 byte order mark is dropped, as UTF-16's is.

    The text is decrypted as it is read (the upload is stored encrypted, see starting.py), and how
    far `encrypted` has been read tells the progress.
    """
    if codecs.lookup(encoding).name == "utf-8":
        encoding = "utf-8-sig"
    encrypted = open(path, "rb")
    # "replace" keeps one bad byte from aborting the whole file; such rows are rejected.
    return encrypted, io.TextIOWrapper(decrypt_stream(encrypted), encoding=encoding, errors="replace", newline="")


def _csv_rows(text_stream, params):
    reader = csv.DictReader(text_stream)
    reader.fieldnames = [name.strip() for name in (reader.fieldnames or [])]
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
        except RecursionError:
            yield Row(number=number, error=TOO_DEEP)
            continue
        except ValueError:  # the one other error of json.loads: an integer beyond Python's digit limit
            yield Row(number=number, error="invalid JSON: a number has too many digits")
            continue
        if not isinstance(record, dict):
            yield Row(number=number, error="not a JSON object")
            continue
        yield _row_from_record(number, record, params)


def _txt_rows(text_stream, params):
    for number, line in enumerate(text_stream, start=1):
        problem = _unstorable(line)
        yield Row(number=number, error=problem) if problem else Row(number=number, text=line)


def _unstorable(value) -> str | None:
    """Why a record (or a line) cannot be stored as it is, or None.

    PostgreSQL takes no NUL character in text or JSON, and no NaN or infinity in JSON; deep
    nesting overflows the JSON encoders; a field beyond MAX_FIELD_CHARS is no text to label.
    The walk is iterative, so a deep record cannot overflow it. NULs reject the row rather than
    being stripped: they come from binary data or from a file read in the wrong encoding
    (UTF-16 as UTF-8), where a text without them would be a silently wrong one.
    """
    pending = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return "contains a NUL character, which cannot be stored (is the file in another encoding?)"
            if len(item) > MAX_FIELD_CHARS:
                return f"a field is longer than {MAX_FIELD_CHARS} characters"
        elif isinstance(item, float) and not math.isfinite(item):
            return "a number is NaN or infinite, which cannot be stored"
        elif isinstance(item, (dict, list)):
            if depth >= MAX_NESTING:
                return TOO_DEEP
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return None


def _row_from_record(number, record, params):
    problem = _unstorable(record)
    if problem:
        return Row(number=number, error=problem)
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
               external_id="" if external_id is None else str(external_id), metadata=metadata)


READERS = {"csv": _csv_rows, "jsonl": _jsonl_rows, "txt": _txt_rows}
