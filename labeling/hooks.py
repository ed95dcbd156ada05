"""The one way labeling tells the rest of Looplabel that labels or documents arrived.

labeling must not import training (dependencies point frontend -> training ->
labeling -> privacy), so training registers listeners from its AppConfig.ready().
Listeners run after the transaction that stored the rows commits, so a worker they
enqueue always sees them. The rows are stored by then: a listener that fails is logged, never
an error for the request (the loop's periodic sweep finds the labels anyway). Listeners run in
the annotator's request, so they should only note what arrived and leave the work to a worker.
"""
from django.db import transaction


class ProjectHook:
    """Listeners called with a project id once the current transaction commits."""

    def __init__(self):
        self.listeners = []

    def connect(self, listener):
        """Register `listener(project_id)`; usable as a decorator. Registering twice is a no-op."""
        if listener not in self.listeners:
            self.listeners.append(listener)
        return listener

    def disconnect(self, listener):
        self.listeners.remove(listener)

    def announce(self, project_id):
        for listener in self.listeners:
            transaction.on_commit(lambda listener=listener: listener(project_id), robust=True)


labels_added = ProjectHook()  # annotations were stored (by annotators or an import)
documents_added = ProjectHook()  # an import published new documents

on_labels_added = labels_added.connect
announce_labels_added = labels_added.announce
on_documents_added = documents_added.connect
announce_documents_added = documents_added.announce
