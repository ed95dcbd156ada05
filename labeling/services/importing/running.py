"""Running an import in the worker: read the stored upload, stage its documents, publish them.

Documents are staged in state IMPORTING, batch by batch, and become visible in one update
at the end; a failure deletes what was staged, so it never leaves half a file behind.
Duplicates are checked against visible documents while staging, and once more when
publishing, against what other imports published meanwhile.
"""
import logging
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ...hooks import announce_documents_added, announce_labels_added
from ...models import Annotation, Document, DocumentState, Job, JobKind, JobStatus, Project
from ..jobs import claim_job, finish_job, update_job
from ..masking import fingerprint_for_project, mask_json_for_project, protect_many_for_project, pseudonym_for_project
from .readers import MAX_TEXT_CHARS, READERS, normalise_whitespace, open_text
from .recovery import discard_staged, fail_import

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

    def new_rows(self, batch):
        """{fingerprint: (row, text)} of a batch of (row, text), counting the duplicates within the file or against the project.

        Documents other imports stage are not the project's yet: they may never be published
        (their worker may have died), so they count only once they are (see `drop_published_meanwhile`).
        """
        fresh = {}
        for row, text in batch:
            key = fingerprint_for_project(self.project, text)
            if key in fresh:
                self.counts["duplicates"] += 1
            else:
                fresh[key] = (row, text)
        existing = set(
            Document.objects.filter(project=self.project, content_hash__in=list(fresh))
            .filter(~Q(state=DocumentState.IMPORTING) | Q(import_job=self.job))
            .values_list("content_hash", flat=True)
        )
        self.counts["duplicates"] += len(existing)
        return {key: value for key, value in fresh.items() if key not in existing}

    def store(self, batch):
        """Stage one batch of (row, text) with the seed labels of its rows."""
        if not batch:
            return
        fresh = self.new_rows(batch)
        rows = [row for row, _ in fresh.values()]
        # Extra columns reach annotators too, so they are masked like the main text; all of a
        # batch at once, so that a name found in one text is masked in every other.
        protected = protect_many_for_project(self.project, [text for _, text in fresh.values()])
        metadata = mask_json_for_project(self.project, [row.metadata for row in rows])
        documents = [
            Document(
                project=self.project, text=text.masked_text, original_encrypted=text.original_encrypted,
                mask_spans=text.spans, external_id=pseudonym_for_project(self.project, row.external_id),
                metadata=row_metadata, content_hash=key, state=DocumentState.IMPORTING, import_job=self.job,
            )
            for key, row, text, row_metadata in zip(fresh, rows, protected, metadata)
        ]
        seeds = [row.label for row in rows]
        with transaction.atomic():
            Document.objects.bulk_create(documents)
            Annotation.objects.bulk_create([
                Annotation(document=doc, label=self.labels[label], imported=True)
                for doc, label in zip(documents, seeds) if label is not None
            ])
        self.counts["imported"] += len(documents)
        self.counts["seed_labels"] += sum(label is not None for label in seeds)

    def drop_published_meanwhile(self, staged):
        """Staged texts that another import published since they were checked are duplicates after all."""
        visible = Document.objects.filter(project=self.project).exclude(state=DocumentState.IMPORTING)
        _, deleted = staged.filter(content_hash__in=visible.values("content_hash")).delete()
        dropped = deleted.get(Document._meta.label, 0)
        self.counts["duplicates"] += dropped
        self.counts["imported"] -= dropped
        self.counts["seed_labels"] -= deleted.get(Annotation._meta.label, 0)

    def report(self, progress):
        update_job(self.job.pk, progress=progress, counts=self.counts, row_errors=self.row_errors)


def run_import(job_id) -> Job | None:
    """Import a started job's file; None when the job is not queued (another message has run it or runs it)."""
    if not claim_job(job_id, JobKind.IMPORT, stage="reading"):
        return None
    job = Job.objects.select_related("project").get(pk=job_id)
    run = _ImportRun(job)
    path = Path(job.params["path"])
    try:
        _read_and_store(run, path)
        _publish(run)
    except Exception as exc:
        # No text in the log or the job: the exception of a row could carry personal data.
        logger.exception("import job %s failed (%s)", job_id, type(exc).__name__)
        fail_import(job, f"The import failed ({type(exc).__name__}); nothing from this file was kept.",
                    counts=run.counts, row_errors=run.row_errors)
        raise
    finally:
        path.unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def _read_and_store(run, path):
    """Stage the file's rows: every BATCH_SIZE rows read, store the accepted ones and write the progress.

    The progress (by bytes read) is also the heartbeat the sweep watches, so it is written per
    rows read, not per rows accepted: a long run of rejected rows must not look like a dead worker.
    """
    params = run.job.params
    size = max(path.stat().st_size, 1)
    encrypted, text_stream = open_text(path, params["encoding"])
    with encrypted, text_stream:
        batch = []
        for row in READERS[params["format"]](text_stream, params):
            text = run.accept(row)
            if text is not None:
                batch.append((row, text))
            if run.counts["rows"] % BATCH_SIZE == 0:
                run.store(batch)
                batch = []
                run.report(min(encrypted.tell() / size, 0.99))
        run.store(batch)


def _publish(run):
    """Make the staged documents visible in one transaction, unless the sweep gave the job up meanwhile."""
    job = run.job
    with transaction.atomic():
        # Locks the job's row: the sweep's conditional update waits, then finds the job finished.
        if not Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(updated_at=timezone.now()):
            discard_staged(job.pk)
            return
        # One publishing import per project at a time, so each sees what the one before published.
        Project.objects.select_for_update().get(pk=job.project_id)
        staged = Document.objects.filter(import_job=job, state=DocumentState.IMPORTING)
        run.drop_published_meanwhile(staged)
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
