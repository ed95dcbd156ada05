"""Celery tasks of the model loop: the only place that turns loop steps into messages.

Each task takes ids, calls one step of `training.loop`, and queues what the step says is
next (`queue_next`). Names are the tasks' import paths; queues are on the decorators:
heavy work (fine-tunes, cold starts, embedding new documents, chunks of a large pool) on
`training`, which GPU workers can own; the head refit and the look at new labels on
settings.LOOPLABEL_HEAD_QUEUE (default `default`, which every worker consumes), so a running
fine-tune never delays them.
"""
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError, transaction

from labeling.tasks import send, send_job

from .loop import cold_start, due, full_run, head_refit, new_documents, scoring
from .loop.next_steps import NextSteps

TRAINING_QUEUE = "training"
# The tasks that carry a request (ProjectLoop's *_pending flags) run again when the database was down (a
# restart): one that failed before it took its request leaves the flag set, and nothing would ask again
# for STALE_REQUEST_AFTER. Each of them may run twice. Runs and chunks have their jobs, which the sweep
# fails or sends again.
RETRIED_WHILE_THE_DATABASE_IS_DOWN = {"autoretry_for": (OperationalError, InterfaceError), "retry_backoff": 2,
                                      "retry_backoff_max": 60, "max_retries": 6}


def queue_next(steps: NextSteps) -> None:
    """Queue the tasks `steps` asks for, once the current transaction commits (they read its rows).

    A message the broker refuses is logged and left to the periodic sweep, which finds the
    queued run or the pending request again: a label that was stored never becomes an error.
    """
    for task, args, request in _messages(steps):
        transaction.on_commit(partial(_send, task, args, steps.project_id, request))


def _send(task, args, project_id, request):
    if not send(task, *args) and request:
        due.request_refused(project_id, request)


def queue_requested_training(steps: NextSteps) -> None:
    """A lead asked for a run: queue it, or fail the new run (freeing the project's lock) and raise
    TaskQueueUnavailable when the broker refuses it (see labeling.tasks.send_job)."""
    if steps.train_job_id:
        send_job(train_model, steps.train_job_id, due.give_up_run)


def _messages(steps: NextSteps):
    """(task, its arguments, the ProjectLoop request it carries, if any) for each message `steps` asks for."""
    if steps.train_job_id:
        yield train_model, (steps.train_job_id,), None
    if steps.refit_head:
        yield refit_head, (steps.project_id,), "head"
    if steps.cold_start:
        yield cold_start_pool, (steps.project_id,), "cold_start"
    if steps.embed_new_documents:
        yield embed_new_documents, (steps.project_id,), "embed"
    if steps.labels_arrived:
        yield labels_arrived, (steps.project_id,), "labels"
    for version_id, index, doc_ids in steps.score_chunks:
        yield score_chunk, (version_id, index, doc_ids), None


@shared_task(name="training.tasks.train_model", queue=TRAINING_QUEUE, acks_late=True)
def train_model(job_id):
    version, steps = full_run.run_training(job_id)
    queue_next(steps)
    return version.number if version else None


@shared_task(name="training.tasks.sweep", queue=TRAINING_QUEUE)
def sweep():
    """Periodic (beat): fail abandoned runs, retrain projects with new labels, cold-start new ones."""
    requested = due.sweep()
    for steps in requested:
        queue_next(steps)
    return sum(bool(steps.train_job_id) for steps in requested)


@shared_task(name="training.tasks.cold_start_pool", queue=TRAINING_QUEUE, acks_late=True,
             **RETRIED_WHILE_THE_DATABASE_IS_DOWN)
def cold_start_pool(project_id):
    ordered, steps = cold_start.cold_start(project_id)
    queue_next(steps)
    return ordered


@shared_task(name="training.tasks.embed_new_documents", queue=TRAINING_QUEUE, acks_late=True,
             **RETRIED_WHILE_THE_DATABASE_IS_DOWN)
def embed_new_documents(project_id):
    return new_documents.embed_new_documents(project_id)


@shared_task(name="training.tasks.score_chunk", queue=TRAINING_QUEUE, acks_late=True)
def score_chunk(version_id, index, doc_ids):
    queue_next(scoring.score_chunk(version_id, index, doc_ids))


@shared_task(name="training.tasks.labels_arrived", queue=settings.LOOPLABEL_HEAD_QUEUE, acks_late=True,
             **RETRIED_WHILE_THE_DATABASE_IS_DOWN)
def labels_arrived(project_id):
    """New labels were noted in an annotator's request: queue the fine-tune or head refit they make due.

    On the head refits' queue, so a running fine-tune never delays it.
    """
    queue_next(due.labels_arrived(project_id))


@shared_task(name="training.tasks.refit_head", queue=settings.LOOPLABEL_HEAD_QUEUE, acks_late=True,
             **RETRIED_WHILE_THE_DATABASE_IS_DOWN)
def refit_head(project_id):
    version, steps = head_refit.refit_head(project_id)
    queue_next(steps)
    return version.number if version else None
