"""Celery tasks of the model loop: the only place that turns loop steps into messages.

Each task takes ids, calls one step of `training.loop`, and queues what the step says is
next (`queue_next`). Names are the tasks' import paths; queues are on the decorators:
heavy work (fine-tunes, cold starts, embedding new documents, chunks of a large pool) on
`training`, which GPU workers can own; the head refit on settings.LOOPLABEL_HEAD_QUEUE
(default `default`, which every worker consumes), so a running fine-tune never delays it.
"""
from celery import shared_task
from django.conf import settings

from .loop import cold_start, due, full_run, head_refit, new_documents, scoring
from .loop.next_steps import NextSteps

TRAINING_QUEUE = "training"


def queue_next(steps: NextSteps) -> None:
    """Queue the tasks `steps` asks for, once the current transaction commits (they read its rows)."""
    if steps.train_job_id:
        train_model.delay_on_commit(steps.train_job_id)
    if steps.refit_head:
        refit_head.delay_on_commit(steps.project_id)
    if steps.cold_start:
        cold_start_pool.delay_on_commit(steps.project_id)
    if steps.embed_new_documents:
        embed_new_documents.delay_on_commit(steps.project_id)
    for version_id, index, doc_ids in steps.score_chunks:
        score_chunk.delay_on_commit(version_id, index, doc_ids)


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


@shared_task(name="training.tasks.cold_start_pool", queue=TRAINING_QUEUE, acks_late=True)
def cold_start_pool(project_id):
    ordered, steps = cold_start.cold_start(project_id)
    queue_next(steps)
    return ordered


@shared_task(name="training.tasks.embed_new_documents", queue=TRAINING_QUEUE, acks_late=True)
def embed_new_documents(project_id):
    return new_documents.embed_new_documents(project_id)


@shared_task(name="training.tasks.score_chunk", queue=TRAINING_QUEUE, acks_late=True)
def score_chunk(version_id, index, doc_ids):
    queue_next(scoring.score_chunk(version_id, index, doc_ids))


@shared_task(name="training.tasks.refit_head", queue=settings.LOOPLABEL_HEAD_QUEUE, acks_late=True)
def refit_head(project_id):
    version, steps = head_refit.refit_head(project_id)
    queue_next(steps)
    return version.number if version else None
