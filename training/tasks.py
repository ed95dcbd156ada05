"""Celery tasks of the model loop; all on the `training` queue so GPU workers can own it."""
from celery import shared_task

from . import services


@shared_task(name="training.train_model", acks_late=True)
def train_model(job_id):
    services.run_training(job_id)


@shared_task(name="training.retrain_due_projects")
def retrain_due_projects():
    return services.retrain_due_projects()
