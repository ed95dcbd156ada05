"""What is due: when the loop trains, refits the head, embeds the pool, and the periodic sweep.

Two speeds: a full fine-tune every `project.retrain_every` labels, a head refit every
`head_every` labels (ProjectLoop.head_every or settings.LOOPLABEL_HEAD_EVERY). A project
has at most one full training job queued or running (a conditional unique constraint on
Job); head refits, cold starts and embeddings of new documents are debounced by
`*_pending` flags on ProjectLoop, set with conditional updates. Functions here claim the
work and return NextSteps; the caller queues them (training.tasks.queue_next).

New labels are only noted in the annotator's request (note_labels_arrived: one read while a
note is pending, which is nearly always under load); what they make due is counted by a worker
(labels_arrived), so a label's request never pays for the loop's bookkeeping.

Neither the lock nor a flag may outlive the message behind it: the periodic sweep fails runs
whose worker died and sends again the runs and requests whose message never ran (the
broker refused or lost it), so a broker outage delays the loop but never stops it.
"""
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from labeling.models import (
    Annotation,
    Document,
    DocumentState,
    Job,
    JobKind,
    JobStatus,
    Project,
)
from labeling.services.jobs import fail_stale_jobs, finish_job, jobs_to_send_again

from ..models import ModelVersion, ProjectLoop
from .dataset import NotTrainable, check_trainable
from .embedding_cache import has_embedding_source
from .next_steps import NextSteps
from .versions import latest_full_model, latest_model

STALE_REQUEST_AFTER = timedelta(minutes=10)
# A request whose message the broker refused is asked again this soon, not after STALE_REQUEST_AFTER.
REFUSED_REQUEST_AGAIN_AFTER = timedelta(minutes=1)


def head_every(project) -> int:
    loop = ProjectLoop.objects.filter(project=project).first()
    if loop and loop.head_every:
        return loop.head_every
    return settings.LOOPLABEL_HEAD_EVERY


def score_task_chunk() -> int:
    """Pools larger than this are embedded by several chunk tasks."""
    return settings.LOOPLABEL_SCORE_TASK_CHUNK


def active_training_job(project) -> Job | None:
    return Job.objects.filter(project=project, kind=JobKind.TRAIN, status__in=[JobStatus.QUEUED, JobStatus.RUNNING]).first()


def _labels_since(project, version) -> int:
    since = version.last_annotation_id if version else 0
    return Annotation.objects.filter(document__project=project, id__gt=since).count()


def labels_since_last_model(project) -> int:
    """Labels since the last full fine-tune (what `retrain_every` counts)."""
    return _labels_since(project, latest_full_model(project))


def labels_since_last_version(project) -> int:
    """Labels since the newest version of any kind (what `head_every` counts)."""
    return _labels_since(project, latest_model(project))


def request_training(project, *, user=None, reason="") -> tuple[Job, NextSteps]:
    """The queued or running training job, or a new one; the NextSteps name it only when it is new."""
    active = active_training_job(project)
    if active:
        return active, NextSteps(project.id)
    try:
        with transaction.atomic():
            job = Job.objects.create(project=project, kind=JobKind.TRAIN, created_by=user, params={"reason": reason})
    except IntegrityError:  # another request created it first
        return active_training_job(project), NextSteps(project.id)
    return job, NextSteps(project.id, train_job_id=str(job.id))


def give_up_run(job_id) -> None:
    """A requested run whose message the broker refused: failed, so that it frees the project's lock."""
    finish_job(job_id, JobStatus.FAILED, "The task queue was not reachable, so the run did not start.")


def request_training_for(project, user) -> tuple[Job, NextSteps]:
    """A lead asks for a run: refused with NotTrainable while the labels cannot train a model."""
    check_trainable(project)
    return request_training(project, user=user, reason="requested")


def _claim_request(project_id, flag) -> bool:
    """Set ProjectLoop.<flag>_pending unless it is set (and fresh); True when this call set it.

    While a fresh request is pending this only reads (no write lock, which matters in an annotator's
    request on SQLite). A request whose task never ran (worker lost, message refused) is taken over
    after STALE_REQUEST_AFTER. A project without loop state gets it, with the request set.
    """
    now = timezone.now()
    pending, requested = f"{flag}_pending", f"{flag}_requested_at"
    stale = now - STALE_REQUEST_AFTER
    loop = ProjectLoop.objects.filter(project_id=project_id)
    if loop.filter(**{pending: True, f"{requested}__gte": stale}).exists():
        return False
    if loop.filter(Q(**{pending: False}) | Q(**{f"{requested}__lt": stale})).update(**{pending: True, requested: now}):
        return True
    return ProjectLoop.objects.get_or_create(project_id=project_id, defaults={pending: True, requested: now})[1]


def request_refused(project_id, flag):
    """The broker refused the message of a pending request: the sweep, or the next announcement, asks again
    after REFUSED_REQUEST_AGAIN_AFTER.

    Not at once: while the broker stays down, every label's request would wait on another refusal.
    Left at STALE_REQUEST_AFTER, the loop would stay behind for ten minutes after the broker is back.
    """
    again_at = timezone.now() - STALE_REQUEST_AFTER + REFUSED_REQUEST_AGAIN_AFTER
    ProjectLoop.objects.filter(project_id=project_id, **{f"{flag}_pending": True}).update(
        **{f"{flag}_requested_at": again_at})


def release_request(project_id, flag):
    """A task took its request: later announcements may queue another."""
    ProjectLoop.objects.filter(project_id=project_id).update(**{f"{flag}_pending": False})


def request_head_refit(project) -> NextSteps:
    return NextSteps(project.id, refit_head=_claim_request(project.id, "head"))


def request_cold_start(project) -> NextSteps:
    return NextSteps(project.id, cold_start=_claim_request(project.id, "cold_start"))


def request_embedding_of_new_documents(project) -> NextSteps:
    return NextSteps(project.id, embed_new_documents=_claim_request(project.id, "embed"))


def note_labels_arrived(project_id) -> NextSteps:
    """The label hook's whole work: ask a worker to look at the project's new labels, unless one was asked already."""
    return NextSteps(project_id, labels_arrived=_claim_request(project_id, "labels"))


def labels_arrived(project_id) -> NextSteps:
    """A worker looks at the new labels: take the note first (labels after this point note again), then decide."""
    release_request(project_id, "labels")
    project = Project.objects.filter(pk=project_id).first()
    return after_labels(project) if project is not None else NextSteps(project_id)


def after_labels(project) -> NextSteps:
    """Labels arrived: a full run every retrain_every labels, a head refit every head_every."""
    steps = NextSteps(project.id)
    if labels_since_last_model(project) >= project.retrain_every and not active_training_job(project):
        steps |= request_training(project, reason=f"{project.retrain_every} new labels")[1]
    # Needs cached embeddings: the last fine-tune's, or the cold start's before the first one
    # (the cold start comes after an import, from the periodic sweep or the API, not from labels).
    if labels_since_last_version(project) >= head_every(project) and has_embedding_source(project):
        steps |= request_head_refit(project)
    return steps


def after_documents(project) -> NextSteps:
    """An import finished: new documents get embeddings and a place in the queue.

    Before any model, the cold start embeds the pool and orders it for coverage; after one,
    only the new documents are embedded and scored, so they need not wait for a fine-tune.
    """
    if not ModelVersion.objects.filter(project=project).exists():
        return request_cold_start(project)
    if has_embedding_source(project):
        return request_embedding_of_new_documents(project)
    return NextSteps(project.id)


def _needs_cold_start(project) -> bool:
    return (not ModelVersion.objects.filter(project=project).exists()
            and not ProjectLoop.objects.filter(project=project, cold_start_done_at__isnull=False).exists()
            and Document.objects.filter(project=project, state=DocumentState.POOL).exists())


def _lost_requests(project) -> NextSteps:
    """Requests still pending long after they were made: their task never started, so they are made again.

    Asking again claims a pending request only once it is older than STALE_REQUEST_AFTER
    (_claim_request), so fresh requests stay with the task already on its way.
    """
    steps = NextSteps(project.id)
    loop = ProjectLoop.objects.filter(project=project).first()
    if loop is None:
        return steps
    for flag, request in (("head", request_head_refit), ("cold_start", request_cold_start),
                          ("embed", request_embedding_of_new_documents),
                          ("labels", lambda project: note_labels_arrived(project.id))):
        if getattr(loop, f"{flag}_pending"):
            steps |= request(project)
    return steps


def sweep() -> list[NextSteps]:
    """Periodic: fail runs whose worker died, send again what no worker took, train every project with new labels."""
    fail_stale_jobs(JobKind.TRAIN, "The worker stopped reporting progress; the run was abandoned.")
    requested = [NextSteps(train_job_id=job_id) for job_id in jobs_to_send_again(JobKind.TRAIN)]
    for project in Project.objects.all():
        steps = _lost_requests(project)
        if _needs_cold_start(project):
            steps |= request_cold_start(project)
        # Periodically any new label counts, not only a full batch of them.
        if labels_since_last_model(project) > 0 and not active_training_job(project):
            try:
                check_trainable(project)
            except NotTrainable:
                pass
            else:
                steps |= request_training(project, reason="periodic")[1]
        if steps:
            requested.append(steps)
    return requested
