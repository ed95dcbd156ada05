"""Running an import in the worker: read the stored upload, stage its documents, publish them.

Documents are staged in state IMPORTING, batch by batch, and become visible in one update
at the end; a failure deletes what was staged, so it never leaves half a file behind.
"""
import logging
from pathlib import Path

from django.db import IntegrityError, transaction

from ...hooks import announce_documents_added, announce_labels_added
from ...models import Annotation, Document, DocumentState, Job, JobKind, JobStatus
from ..jobs import claim_job, finish_job, update_job
from ..masking import fingerprint_for_project, mask_for_project, protect_for_project
from .readers import MAX_TEXT_CHARS, READERS, normalise_whitespace, open_text

logger = logging.getLogger(__name__)

BATCH_SIZE = 1000
MAX_ROW_ERRORS_KEPT = 1000


class _ImportRun:
    def __init__(self, job):
        self.job = job
        self.project = job.project
        self.labels = {label.name: label for label in self.project.labels.all()}
        self.counts = {"rows": 0, "imported": 0, "duplicates": 0, "empty": 0, "rejected": 0, "seed_labels": 0}
        self.row_errors = []

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
        return {
            key: mask_for_project(self.project, value) if isinstance(value, str) else value
            for key, value in metadata.items()
        }

    def new_rows(self, batch):
        """{fingerprint: (row, text)} of a batch of (row, text), counting the duplicates within it or against the project."""
        fresh = {}
        for row, text in batch:
            key = fingerprint_for_project(self.project, text)
            if key in fresh:
                self.counts["duplicates"] += 1
            else:
                fresh[key] = (row, text)
        existing = set(
            Document.objects.filter(project=self.project, content_hash__in=list(fresh)).values_list("content_hash", flat=True)
        )
        self.counts["duplicates"] += len(existing)
        return {key: value for key, value in fresh.items() if key not in existing}

    def store(self, batch):
        """Stage one batch of (row, text) with the seed labels of its rows."""
        documents, seeds = [], []
        for key, (row, text) in self.new_rows(batch).items():
            protected = protect_for_project(self.project, text)
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
        update_job(self.job.pk, progress=progress, counts=self.counts, row_errors=self.row_errors)


def run_import(job_id) -> Job | None:
    """Import a started job's file; None when the job has already finished (a redelivered task)."""
    job = _claim(job_id)
    if job is None:
        return None
    run = _ImportRun(job)
    path = Path(job.params["path"])
    try:
        _read_and_store(run, path)
        _publish(run)
    except Exception as exc:
        # No text in the log or the job: the exception of a row could carry personal data.
        logger.exception("import job %s failed (%s)", job_id, type(exc).__name__)
        _discard_staged(job_id)
        finish_job(job_id, JobStatus.FAILED, f"The import failed ({type(exc).__name__}); nothing from this file was kept.",
                   counts=run.counts, row_errors=run.row_errors)
        raise
    finally:
        path.unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def _claim(job_id) -> Job | None:
    """Take the job unless it is finished; a redelivered job starts over from a clean slate."""
    with transaction.atomic():
        if not claim_job(job_id, JobKind.IMPORT, stage="reading"):
            return None
        _discard_staged(job_id)
    return Job.objects.select_related("project").get(pk=job_id)


def _discard_staged(job_id):
    Document.objects.filter(import_job_id=job_id, state=DocumentState.IMPORTING).delete()


def _read_and_store(run, path):
    """Stage the file's rows in batches, reporting progress by the bytes read so far."""
    params = run.job.params
    size = max(path.stat().st_size, 1)
    binary, text_stream = open_text(path, params["encoding"])
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
        finish_job(job.pk, JobStatus.SUCCEEDED, _summary(run.counts), counts=run.counts, row_errors=run.row_errors)
        if run.counts["imported"]:
            announce_documents_added(job.project_id)
        if run.counts["seed_labels"]:
            announce_labels_added(job.project_id)


def _summary(counts):
    return (f"Imported {counts['imported']} texts ({counts['seed_labels']} with labels); skipped "
            f"{counts['duplicates']} duplicates, {counts['empty']} empty rows and {counts['rejected']} rejected rows.")
