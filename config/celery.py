"""The Celery app. Workers start with `celery -A config worker`."""
import os

from celery import Celery

from .broker import use_atomic_filesystem_transport

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

use_atomic_filesystem_transport()
app = Celery("looplabel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
