"""The one way labeling tells the rest of Looplabel that labels or documents arrived.

labeling must not import training (dependencies point frontend -> training ->
labeling -> privacy), so training registers a listener from its AppConfig.ready().
Listeners run after the transaction that stored the labels commits, so a worker
they enqueue always sees the labels.
"""
from django.db import transaction

_labels_added_listeners = []
_documents_added_listeners = []


def on_labels_added(listener):
    """Register `listener(project_id)`; usable as a decorator. Registering twice is a no-op."""
    if listener not in _labels_added_listeners:
        _labels_added_listeners.append(listener)
    return listener


def announce_labels_added(project_id):
    for listener in _labels_added_listeners:
        transaction.on_commit(lambda listener=listener: listener(project_id))


def on_documents_added(listener):
    """Register `listener(project_id)`, called after an import published new documents."""
    if listener not in _documents_added_listeners:
        _documents_added_listeners.append(listener)
    return listener


def announce_documents_added(project_id):
    for listener in _documents_added_listeners:
        transaction.on_commit(lambda listener=listener: listener(project_id))
