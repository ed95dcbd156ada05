"""Training's answers to labeling's hooks (connected in TrainingConfig.ready()).

labeling announces, after its transaction commits, that labels or documents arrived. New labels
arrive in an annotator's request, so their answer only notes them and wakes a worker once
(due.note_labels_arrived); the worker decides what is due (tasks.labels_arrived). An import ends
in a worker already, so its answer decides at once; the tasks module queues what is due.
"""
from labeling.models import Project

from .loop import due
from .tasks import queue_next


def labels_added(project_id):
    queue_next(due.note_labels_arrived(project_id))


def documents_added(project_id):
    project = Project.objects.filter(pk=project_id).first()
    if project is not None:
        queue_next(due.after_documents(project))
