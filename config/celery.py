"""The Celery app. Workers start with `celery -A config worker`."""
import os

from celery import Celery
from celery.signals import worker_init

from .broker import use_atomic_filesystem_transport

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

use_atomic_filesystem_transport()
app = Celery("looplabel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
def _yield_the_cpu_to_the_web_server(**kwargs):
    """Workers run below the web server's priority: on a machine they share, a fine-tune or an import
    takes the CPU the annotators' requests leave, never the other way round."""
    from django.conf import settings

    os.nice(settings.LOOPLABEL_WORKER_NICE)
