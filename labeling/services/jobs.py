"""Job bookkeeping shared by imports and training: claim, report progress, finish, and find lost jobs.

Workers write a job with a filtered `.update()`, never `save()`, so that a redelivered task
cannot resurrect a job that has finished. `.update()` skips `auto_now`, so every write here
sets `updated_at` itself: the sweeps read it.

A job is stale when nothing wrote it for settings.LOOPLABEL_JOB_STALE_SECONDS (a few minutes).
A running job's worker writes far more often (JobProgress writes at least every
HEARTBEAT_SECONDS while it is called), so a stale running job has lost its worker; a stale
queued job has no message a worker will take (the broker refused it or lost it, or a worker
died holding it). The sweeps fail the first kind and send the second again.
"""
from datetime import timedelta
from time import monotonic

from django.conf import settings
from django.utils import timezone

from ..models import Job, JobStatus

PROGRESS_STEP = 0.02  # smaller steps would write the job row for every few texts
HEARTBEAT_SECONDS = 30  # well inside the stale window, even when 2% of a run takes minutes


def update_job(job_id, **fields) -> None:
    Job.objects.filter(pk=job_id).update(updated_at=timezone.now(), **fields)


def claim_job(job_id, kind, **extra_updates) -> bool:
    """Mark a queued job running; False when it is running or finished already.

    Only a queued job is claimed: a second message for one job (the sweep sends a queued job
    again when it waited long, a broker redelivers the message of a worker that died) must
    never start a second run beside a live one. A run whose worker died is failed by the sweep.
    """
    updates = {"status": JobStatus.RUNNING, "progress": 0.0, "updated_at": timezone.now(), **extra_updates}
    return bool(Job.objects.filter(pk=job_id, kind=kind, status=JobStatus.QUEUED).update(**updates))


def finish_job(job_id, status, message, **fields) -> None:
    """A succeeded job shows a full bar; a failed one keeps the progress it reached, unless `fields` say otherwise."""
    if status == JobStatus.SUCCEEDED:
        fields = {"stage": "done", "progress": 1.0, **fields}
    else:
        fields = {"stage": "failed", **fields}
    update_job(job_id, status=status, message=message, **fields)


def _stale(kind, status):
    cutoff = timezone.now() - timedelta(seconds=settings.LOOPLABEL_JOB_STALE_SECONDS)
    return Job.objects.filter(kind=kind, status=status, updated_at__lt=cutoff)


def fail_stale_jobs(kind, message) -> list[Job]:
    """Fail the running jobs of `kind` whose worker stopped writing them; the jobs this call failed."""
    failed = []
    for job in _stale(kind, JobStatus.RUNNING):
        # Conditional, so a worker that writes the job meanwhile keeps it.
        if _stale(kind, JobStatus.RUNNING).filter(pk=job.pk).update(
                status=JobStatus.FAILED, stage="failed", message=message, updated_at=timezone.now()):
            failed.append(job)
    return failed


def jobs_to_send_again(kind) -> list[str]:
    """Ids of the queued jobs of `kind` that no worker took in the stale window, marked so each is sent once a window.

    A message sent twice is harmless: the first delivery claims the job, the second finds it running.
    """
    ids = [str(pk) for pk in _stale(kind, JobStatus.QUEUED).values_list("pk", flat=True)]
    Job.objects.filter(pk__in=ids, status=JobStatus.QUEUED).update(updated_at=timezone.now())
    return ids


class JobProgress:
    """Writes a job's progress every 2% of the bar and at least every HEARTBEAT_SECONDS, mapping a stage's 0..1 onto a slice of it."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.last = -1.0
        self.written_at = monotonic()

    def _write(self, **fields):
        update_job(self.job_id, **fields)
        self.written_at = monotonic()

    def _due(self) -> bool:
        return monotonic() - self.written_at >= HEARTBEAT_SECONDS

    def stage(self, name, start, end):
        """Enter stage `name` at `start`; the returned reporter takes the stage's own fraction done."""
        self._write(stage=name, progress=start)
        self.last = start

        def report(fraction):
            value = start + (end - start) * fraction
            if value - self.last >= PROGRESS_STEP or fraction >= 1 or self._due():
                self.last = value
                self._write(progress=round(value, 4))

        return report

    def beat(self, fraction=None):
        """Show the worker is alive during work that moves no bar (a chunk of the pool, saving a model).

        Takes (and ignores) a fraction, so it can be passed where a progress reporter is expected.
        """
        if self._due():
            self._write()
