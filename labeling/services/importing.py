"""Import texts from CSV, JSONL or plain text, streaming, as a background job.

`start_import` checks what can be checked at once (format, encoding, the text column)
so the caller gets a 400 straight away; `run_import` does the rest in the worker.
Documents are staged in state IMPORTING and become visible in one update at the end,
so a failed import leaves nothing half-way and never touches documents already stored.
"""
import codecs
import csv
import io
import json
import logging
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from privacy.masking import mask
from privacy.services import fingerprint, protect_text

from ..errors import InvalidInput
from ..hooks import announce_documents_added, announce_labels_added
from ..models import Annotation, Document, DocumentState, Job, JobKind, JobStatus

logger = logging.getLogger(__name__)

FORMATS = ("csv", "jsonl", "txt")
EXTENSIONS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "txt"}
BATCH_SIZE = 1000
MAX_ROW_ERRORS_KEPT = 1000
MAX_TEXT_CHARS = 100_000
SNIFF_BYTES = 64 * 1024
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


# --- starting an import --------------------------------------------------------------

def detect_format(file_format: str | None, filename: str) -> str:
    if file_format:
        if file_format not in FORMATS:
            raise InvalidInput(f"Unknown format {file_format!r}; use one of: {', '.join(FORMATS)}.")
        return file_format
    fmt = EXTENSIONS.get(Path(filename or "").suffix.lower())
    if fmt is None:
        raise InvalidInput("Cannot tell the file format from its name; pass format=csv, jsonl or txt.")
    return fmt


def _check_encoding(head: bytes, encoding: str, complete: bool) -> str:
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


def _check_fields(head_text: str, fmt: str, text_field: str, label_field: str | None, id_field: str | None):
    if fmt == "txt":
        return
    if fmt == "csv":
        first_line = next(csv.reader(io.StringIO(head_text)), None)
        if not first_line:
            raise InvalidInput("The CSV file is empty: it needs a header row.")
        present = {name.strip() for name in first_line}
        where = "in the CSV header"
    else:
        first = next((line for line in head_text.splitlines() if line.strip()), None)
        if first is None:
            raise InvalidInput("The JSONL file is empty.")
        try:
            record = json.loads(first)
        except json.JSONDecodeError as exc:
            raise InvalidInput(f"The first line is not valid JSON: {exc.msg} (column {exc.colno}).") from None
        if not isinstance(record, dict):
            raise InvalidInput("Each JSONL line must be a JSON object.")
        present = set(record)
        where = "in the first JSONL record"
    for role, name in (("text_field", text_field), ("label_field", label_field), ("id_field", id_field)):
        if name and name not in present:
            raise InvalidInput(f"{role} {name!r} is not {where}; found: {', '.join(sorted(present)) or 'nothing'}.")


def start_import(project, user, uploaded_file, *, text_field="text", label_field=None, id_field=None,
                 file_format=None, encoding="utf-8") -> Job:
    """Store the upload, check it, and queue the import. Raises InvalidInput for a bad file."""
    fmt = detect_format(file_format, getattr(uploaded_file, "name", ""))
    if fmt != "txt" and not text_field:
        raise InvalidInput("text_field is required: name the column or key that holds the text.")
    job = Job(project=project, kind=JobKind.IMPORT, created_by=user)
    upload_dir = Path(settings.LOOPLABEL_UPLOADS_DIR)
    upload_dir.mkdir(parents=True, exist_ok=True)
    path = upload_dir / f"{job.id}.{fmt}"
    with open(path, "wb") as out:
        for chunk in uploaded_file.chunks():
            out.write(chunk)
    try:
        with open(path, "rb") as f:
            head = f.read(SNIFF_BYTES)
            complete = not f.read(1)
        if not head.strip():
            raise InvalidInput("The file is empty.")
        head_text = _check_encoding(head, encoding, complete).lstrip("\ufeff")
        if not complete and "\n" in head_text:
            head_text = head_text[: head_text.rfind("\n")]
        _check_fields(head_text, fmt, text_field, label_field, id_field)
    except InvalidInput:
        path.unlink(missing_ok=True)
        raise
    job.params = {
        "path": str(path), "format": fmt, "encoding": encoding, "filename": getattr(uploaded_file, "name", ""),
        "text_field": text_field, "label_field": label_field, "id_field": id_field,
    }
    job.save()
    from ..tasks import import_file  # tasks import this module; import late to avoid a cycle

    transaction.on_commit(lambda: import_file.delay(str(job.id)))
    return job


# --- reading rows ------------------------------------------------------------------

def _open_text(path, encoding):
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


# --- running an import ---------------------------------------------------------------

class _ImportRun:
    def __init__(self, job):
        self.job = job
        self.project = job.project
        self.labels = {label.name: label for label in self.project.labels.all()}
        self.counts = {"rows": 0, "imported": 0, "duplicates": 0, "empty": 0, "rejected": 0, "seed_labels": 0}
        self.row_errors = []
        self.scope = str(self.project.id)

    def reject(self, number, reason):
        self.counts["rejected"] += 1
        if len(self.row_errors) < MAX_ROW_ERRORS_KEPT:
            self.row_errors.append({"row": number, "reason": reason})

    def accept(self, row):
        """The cleaned text of a row, or None when the row is counted as empty or rejected."""
        self.counts["rows"] += 1
        if row.error:
            self.reject(row.number, row.error)
            return None
        if "\ufffd" in row.text:
            self.reject(row.number, f"contains bytes that are not valid {self.job.params['encoding']}")
            return None
        text = normalise_whitespace(row.text)
        if not text:
            self.counts["empty"] += 1
            return None
        if len(text) > MAX_TEXT_CHARS:
            self.reject(row.number, f"text longer than {MAX_TEXT_CHARS} characters")
            return None
        if row.label is not None and row.label not in self.labels:
            self.reject(row.number, f"unknown label {row.label!r}")
            return None
        return text

    def masked_metadata(self, metadata):
        """Extra columns reach annotators too, so their text is masked like the main text."""
        strategy = self.project.masking_strategy
        return {
            key: mask(value, strategy=strategy, scope=self.scope).masked_text if isinstance(value, str) else value
            for key, value in metadata.items()
        }

    def store(self, batch):
        """Store one batch of (row, text); duplicates within it or against the project are dropped."""
        fresh = {}
        for row, text in batch:
            key = fingerprint(text, scope=self.scope)
            if key in fresh:
                self.counts["duplicates"] += 1
            else:
                fresh[key] = (row, text)
        existing = set(
            Document.objects.filter(project=self.project, content_hash__in=list(fresh)).values_list("content_hash", flat=True)
        )
        self.counts["duplicates"] += len(existing)
        documents, seeds = [], []
        strategy = self.project.masking_strategy
        for key, (row, text) in fresh.items():
            if key in existing:
                continue
            protected = protect_text(text, strategy=strategy, scope=self.scope)
            documents.append(Document(
                project=self.project, text=protected.masked_text, original_encrypted=protected.original_encrypted,
                mask_spans=protected.spans, external_id=row.external_id, metadata=self.masked_metadata(row.metadata),
                content_hash=key,
                state=DocumentState.IMPORTING, import_job=self.job,
            ))
            seeds.append(row.label)
        with transaction.atomic():
            Document.objects.bulk_create(documents)
            Annotation.objects.bulk_create([
                Annotation(document=doc, label=self.labels[label], imported=True)
                for doc, label in zip(documents, seeds) if label is not None
            ])
        self.counts["imported"] += len(documents)
        self.counts["seed_labels"] += sum(label is not None for label in seeds)

    def report(self, progress):
        Job.objects.filter(pk=self.job.pk).update(progress=progress, counts=self.counts, row_errors=self.row_errors)


def _claim(job_id):
    """Take the job unless it is finished; a redelivered job starts over from a clean slate."""
    with transaction.atomic():
        claimed = Job.objects.filter(
            pk=job_id, kind=JobKind.IMPORT, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
        ).update(status=JobStatus.RUNNING, stage="reading", progress=0.0)
        if not claimed:
            return None
        Document.objects.filter(import_job_id=job_id, state=DocumentState.IMPORTING).delete()
    return Job.objects.select_related("project").get(pk=job_id)


def run_import(job_id) -> Job | None:
    job = _claim(job_id)
    if job is None:
        return None
    params = job.params
    run = _ImportRun(job)
    path = Path(params["path"])
    try:
        size = max(path.stat().st_size, 1)
        binary, text_stream = _open_text(path, params["encoding"])
        with binary, text_stream:
            batch = []
            for row in READERS[params["format"]](text_stream, params):
                text = run.accept(row)
                if text is not None:
                    batch.append((row, text))
                if len(batch) >= BATCH_SIZE:
                    _store_with_retry(run, batch)
                    batch = []
                    run.report(min(binary.tell() / size, 0.99))
            if batch:
                _store_with_retry(run, batch)
        _publish(run)
    except Exception as exc:
        # No text in the log or the job: the exception of a row could carry personal data.
        logger.exception("import job %s failed (%s)", job_id, type(exc).__name__)
        Document.objects.filter(import_job_id=job_id, state=DocumentState.IMPORTING).delete()
        Job.objects.filter(pk=job_id).update(
            status=JobStatus.FAILED, stage="failed", counts=run.counts, row_errors=run.row_errors,
            message=f"The import failed ({type(exc).__name__}); nothing from this file was kept.",
        )
        raise
    finally:
        path.unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def _store_with_retry(run, batch):
    try:
        run.store(batch)
    except IntegrityError:
        # Another import of the same texts into this project won a race; re-check and store the rest.
        run.store(batch)


def _publish(run):
    job = run.job
    with transaction.atomic():
        staged = Document.objects.filter(import_job=job, state=DocumentState.IMPORTING)
        staged.filter(annotations__isnull=False).update(state=DocumentState.LABELED)
        staged.update(state=DocumentState.POOL)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.SUCCEEDED, stage="done", progress=1.0, counts=run.counts, row_errors=run.row_errors,
            message=_summary(run.counts),
        )
        if run.counts["imported"]:
            announce_documents_added(job.project_id)
        if run.counts["seed_labels"]:
            announce_labels_added(job.project_id)


def _summary(counts):
    return (f"Imported {counts['imported']} texts ({counts['seed_labels']} with labels); skipped "
            f"{counts['duplicates']} duplicates, {counts['empty']} empty rows and {counts['rejected']} rejected rows.")

