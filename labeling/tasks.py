"""Celery tasks of labeling (thin wrappers that take ids and call services), and sending messages.

`send` is where every message of Looplabel meets the broker (training.tasks uses it too). A
broker that is down or full must not turn work already stored into an error: each message
stands for a job or a request row, which the sweeps find again when no worker ran it.
"""
import logging

from celery import shared_task
from django.db import transaction
from kombu.exceptions import KombuError

from .errors import TaskQueueUnavailable
from .services.importing import give_up_import, run_import, sweep_stale_imports

logger = logging.getLogger(__name__)

# What publishing raises when the broker cannot take a message: kombu's OperationalError for a
# connection refused or lost (after Celery's publish retries), ChannelError or a plain OSError
# from the filesystem transport (a folder missing, a disk full).
BROKER_ERRORS = (KombuError, OSError)


def send(task, *args) -> bool:
    """Send one message now; False, logged, when the broker does not take it."""
    try:
        task.delay(*args)
    except BROKER_ERRORS as exc:
        # The task's name and the error only: arguments may be long lists of ids.
        logger.warning("the broker did not take a %s message (%s: %s)", task.name, type(exc).__name__, exc)
        return False
    return True


def send_job(task, job_id, give_up) -> None:
    """Send a job a lead asked for, once it is committed; when the broker refuses, `give_up(job_id)` and raise.

    The lead then hears 503 (TaskQueueUnavailable) and that nothing was queued: the job is given
    up rather than left for a sweep, so it cannot run later behind a request that was refused
    and then repeated.
    """
    def send_or_give_up():
        if not send(task, job_id):
            give_up(job_id)
            raise TaskQueueUnavailable("The task queue is not reachable, so nothing was queued; try again in a minute.")

    transaction.on_commit(send_or_give_up)


def queue_import(job) -> None:
    """Send a started import to a worker (see send_job); a refused one is failed and its upload removed."""
    send_job(import_file, str(job.id), give_up_import)


@shared_task(name="labeling.tasks.import_file", acks_late=True)
def import_file(job_id):
    run_import(job_id)


@shared_task(name="labeling.tasks.sweep_imports")
def sweep_imports():
    """Periodic (beat): fail imports whose worker died, send again those no worker took."""
    for job_id in sweep_stale_imports():
        send(import_file, job_id)
