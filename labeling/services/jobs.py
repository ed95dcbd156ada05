"""Job bookkeeping shared by imports and training: claim, report progress, finish.

Workers write a job with a filtered `.update()`, never `save()`, so that a redelivered task
cannot resurrect a job that has finished. `.update()` skips `auto_now`, so every write here
sets `updated_at` itself: the stale-job sweep reads it.
"""
from django.utils import timezone

from ..models import Job, JobStatus

PROGRESS_STEP = 0.02  # smaller steps would write the job row for every few texts


def update_job(job_id, **fields) -> None:
    Job.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def claim_job(job_id, kind, **extra_updates) -> bool:
    """Mark the job running unless it has finished; a redelivered job starts over from progress 0."""
    updates = {"status": JobStatus.RUNNING, "progress": 0.0, "updated_at": timezone.now(), **extra_updates}
    return bool(
        Job.objects.filter(pk=job_id, kind=kind, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).update(**updates)
    )


def finish_job(job_id, status, message, **fields) -> None:
    """A succeeded job shows a full bar; a failed one keeps the progress it reached, unless `fields` say otherwise."""
    if status == JobStatus.SUCCEEDED:
        fields = {"stage": "done", "progress": 1.0, **fields}
    else:
        fields = {"stage": "failed", **fields}
    update_job(job_id, status=status, message=message, **fields)


class JobProgress:
    """Writes a job's progress at most every 2%, mapping a stage's 0..1 onto a slice of the bar."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.last = -1.0

    def stage(self, name, start, end):
        """Enter stage `name` at `start`; the returned reporter takes the stage's own fraction done."""
        update_job(self.job_id, stage=name, progress=start)

        def report(fraction):
            value = start + (end - start) * fraction
            if value - self.last >= PROGRESS_STEP or fraction >= 1:
                self.last = value
                update_job(self.job_id, progress=round(value, 4))

        return report
