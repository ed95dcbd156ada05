"""Celery tasks of the model loop.

Heavy work (full fine-tunes, cold-start embedding, chunks of large-pool scoring) is named
`training.*` and routed to the `training` queue, which GPU workers can own. The head refit
is deliberately *not* named `training.*`: it runs on settings.LOOPLABEL_HEAD_QUEUE (default
`default`, which every worker consumes), so a running fine-tune never delays it.
"""
from celery import shared_task
from django.conf import settings

from . import services


@shared_task(name="training.train_model", acks_late=True)
def train_model(job_id):
    services.run_training(job_id)


@shared_task(name="training.retrain_due_projects")
def retrain_due_projects():
    return services.retrain_due_projects()


@shared_task(name="training.cold_start", acks_late=True)
def cold_start_task(project_id):
    return services.cold_start(project_id)


@shared_task(name="training.embed_new_documents", acks_late=True)
def embed_new_documents_task(project_id):
    return services.embed_new_documents(project_id)


@shared_task(name="training.score_chunk", acks_late=True)
def score_chunk_task(version_id, index, doc_ids):
    return services.score_chunk(version_id, index, doc_ids)


@shared_task(name="training_head.refit", queue=settings.LOOPLABEL_HEAD_QUEUE, acks_late=True)
def refit_head_task(project_id):
    version = services.refit_head(project_id)
    return version.number if version else None
