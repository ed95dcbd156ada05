"""Failing an import cleanly, also when its worker died or its message was refused.

A failed import keeps nothing: the job says why, what it staged is deleted, its upload removed.
Staged rows never block another import (a project's texts are unique only once visible), so
a file imported again keeps every row even before the sweep clears what a dead worker staged.
"""
from pathlib import Path

from ...models import Document, DocumentState, Job, JobKind, JobStatus
from ..jobs import fail_stale_jobs, finish_job, jobs_to_send_again

WORKER_LOST = ("The worker stopped while importing (it may have run out of memory); nothing from this file was "
               "kept. Import it again.")
QUEUE_UNAVAILABLE = "The task queue was not reachable, so the import did not start; nothing from this file was kept."


def fail_import(job, message, **fields) -> None:
    finish_job(job.pk, JobStatus.FAILED, message, **fields)
    _clear(job)


def give_up_import(job_id) -> None:
    """A started import whose message the broker refused: it will never run."""
    fail_import(Job.objects.get(pk=job_id), QUEUE_UNAVAILABLE)


def sweep_stale_imports() -> list[str]:
    """Periodic: fail the imports whose worker died and clear them; the ids of queued imports to send again."""
    for job in fail_stale_jobs(JobKind.IMPORT, WORKER_LOST):
        _clear(job)
    return jobs_to_send_again(JobKind.IMPORT)


def discard_staged(job_id) -> None:
    Document.objects.filter(import_job_id=job_id, state=DocumentState.IMPORTING).delete()


def _clear(job):
    discard_staged(job.pk)
    Path(job.params["path"]).unlink(missing_ok=True)
