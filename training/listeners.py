"""Training's answers to labeling's hooks (connected in TrainingConfig.ready()).

labeling announces, after its transaction commits, that labels or documents arrived;
the loop decides what is due and the tasks module queues it.
"""
from labeling.models import Project

from .loop import due
from .tasks import queue_next


def labels_added(project_id):
    project = Project.objects.filter(pk=project_id).first()
    if project is not None:
        queue_next(due.after_labels(project))


def documents_added(project_id):
    project = Project.objects.filter(pk=project_id).first()
    if project is not None:
        queue_next(due.after_documents(project))
