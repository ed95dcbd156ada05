"""Celery tasks of labeling: thin wrappers that take ids and call services."""
from celery import shared_task

from .services.importing import run_import


@shared_task(name="labeling.tasks.import_file", acks_late=True)
def import_file(job_id):
    run_import(job_id)
