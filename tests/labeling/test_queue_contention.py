"""The queue under contention: rows locked by others make `next` wait, never answer "nothing left";
a write SQLite refuses with "database is locked" runs again, and stores its label once.

Runs against whichever database DATABASE_URL names; not wrapped in a transaction, so requests
commit as they do in production.
"""
import threading
import time
from contextlib import contextmanager

import pytest
from django.db import OperationalError, connection, connections, transaction

from labeling.errors import QueueBusy
from labeling.models import Annotation, Document, DocumentState
from labeling.services import queue

from ..conftest import import_texts

pytestmark = pytest.mark.django_db(transaction=True)
HOLD_SECONDS = 1.0


@contextmanager
def _every_free_text_locked(project, seconds=None):
    """Another transaction (the loop re-writing the queue order, say) holds every pool text, for
    `seconds` or else until the block ends."""
    locked, release = threading.Event(), threading.Event()

    def rewrite_the_queue_order():
        try:
            with transaction.atomic():
                for document in Document.objects.select_for_update().filter(project=project, state=DocumentState.POOL):
                    Document.objects.filter(pk=document.pk).update(priority=0.5)
                locked.set()
                release.wait(seconds or 60)
        finally:
            connections.close_all()

    thread = threading.Thread(target=rewrite_the_queue_order)
    thread.start()
    assert locked.wait(30)
    try:
        yield
    finally:
        release.set()
        thread.join(30)


def test_next_waits_for_rows_others_hold_instead_of_answering_that_nothing_is_left(project, lead, annotator):
    import_texts(project, lead, "text\n" + "".join(f"Document {i}\n" for i in range(4)))
    with _every_free_text_locked(project, HOLD_SECONDS):
        started = time.monotonic()
        assignment = queue.next_document(project, annotator)
        waited = time.monotonic() - started
    assert assignment is not None, "next answered 'nothing left' while every text was free, only locked"
    assert waited >= HOLD_SECONDS / 2


@pytest.mark.postgres
@pytest.mark.skipif("connection.vendor != 'postgresql'",
                    reason="SQLite's writers queue for its one write lock (the busy timeout) instead")
def test_texts_locked_for_too_long_are_a_503_never_nothing_left(project, lead, annotator, monkeypatch, client_for):
    monkeypatch.setattr(queue, "LOCKED_WAIT_SECONDS", HOLD_SECONDS / 4)
    import_texts(project, lead, "text\nAlpha\nBeta\n")
    with _every_free_text_locked(project):
        response = client_for(annotator).get(f"/api/v1/projects/{project.id}/next/")
    assert response.status_code == 503 and response["Retry-After"]
    assert client_for(annotator).get(f"/api/v1/projects/{project.id}/next/").status_code == 200


def _refused_once(monkeypatch, function_name, times):
    """Make queue.<function_name> fail `times` times with SQLite's "database is locked", inside the transaction."""
    real, calls = getattr(queue, function_name), []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) <= times:
            raise OperationalError("database is locked")
        return real(*args, **kwargs)

    monkeypatch.setattr(queue, function_name, flaky)
    monkeypatch.setattr("labeling.services.retry.BACKOFF_SECONDS", 0.0)
    return calls


def test_a_submit_refused_as_locked_runs_again_and_stores_its_label_once(project, lead, annotator, monkeypatch):
    import_texts(project, lead, "text\nAlpha\nBeta\n")
    held = queue.next_document(project, annotator)
    calls = _refused_once(monkeypatch, "_held_lease", times=1)
    queue.submit_annotation(project, annotator, held.document.id, "positive")
    assert len(calls) == 2
    assert Annotation.objects.filter(document=held.document).count() == 1
    assert queue.tally_of(project).labels_used == 1


def test_a_submit_refused_every_time_is_a_503_that_stored_nothing(project, lead, annotator, monkeypatch, client_for):
    import_texts(project, lead, "text\nAlpha\nBeta\n")
    held = queue.next_document(project, annotator)
    _refused_once(monkeypatch, "_held_lease", times=10)
    response = client_for(annotator).post(f"/api/v1/projects/{project.id}/annotations/",
                                          {"document": held.document.id, "label": "positive"}, format="json")
    assert response.status_code == 503 and response["Retry-After"]
    assert "nothing was stored" in response.json()["detail"]
    assert not Annotation.objects.exists()
    monkeypatch.undo()
    queue.submit_annotation(project, annotator, held.document.id, "positive")  # the client's repeat succeeds


def test_other_database_errors_are_not_retried(project, lead, annotator, monkeypatch):
    import_texts(project, lead, "text\nAlpha\n")
    held = queue.next_document(project, annotator)
    calls = []

    def broken(*args, **kwargs):
        calls.append(1)
        raise OperationalError("no such table: labeling_lease")

    monkeypatch.setattr(queue, "_held_lease", broken)
    with pytest.raises(OperationalError):
        queue.submit_annotation(project, annotator, held.document.id, "positive")
    assert len(calls) == 1


def test_the_retry_leaves_a_callers_transaction_to_the_caller(project, lead, annotator, monkeypatch):
    import_texts(project, lead, "text\nAlpha\n")
    held = queue.next_document(project, annotator)
    calls = _refused_once(monkeypatch, "_held_lease", times=1)
    with pytest.raises(OperationalError), transaction.atomic():
        queue.submit_annotation(project, annotator, held.document.id, "positive")
    assert len(calls) == 1


def test_claims_that_keep_losing_races_end_in_a_503_not_in_nothing_left(project, lead, annotator, monkeypatch):
    from django.db import IntegrityError

    import_texts(project, lead, "text\nAlpha\n")

    def always_taken(*args, **kwargs):
        raise IntegrityError("duplicate key value violates unique constraint")

    monkeypatch.setattr(queue, "_lease_next", always_taken)
    with pytest.raises(QueueBusy):
        queue.next_document(project, annotator)


@pytest.mark.postgres
@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has one writer: no row is re-written mid-claim")
def test_a_text_the_loop_scores_while_it_is_claimed_is_served_with_its_suggestion(
        project, lead, annotator, monkeypatch, client_for):
    """The loop scores a text (new, without a suggestion) after `next` read the queue but before it locked
    the row: PostgreSQL locks the row's newest version, which the answer must show whole (it was a 500)."""
    import_texts(project, lead, "text\nAlpha\nBeta\n")
    labels = dict(project.labels.values_list("name", "id"))
    first = Document.objects.filter(project=project).order_by("random_key").first()
    real_order = queue._queue_order

    def slow_to_lock(project, annotator):  # the time between the query's snapshot and its row lock, widened
        return real_order(project, annotator).extra(
            where=["(SELECT true FROM pg_sleep(1) WHERE labeling_document.id IS NOT NULL)"])  # as each row is read

    def re_score():
        with connection.cursor() as cursor:
            for _ in range(200):  # until the claim has read the row and not yet locked it
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep' "
                               "AND datname = current_database()")
                if cursor.fetchone():
                    break
                time.sleep(0.02)
        queue.set_priorities(project, {first.id: (None, labels["negative"], 0.6)})
        connections.close_all()

    monkeypatch.setattr(queue, "_queue_order", slow_to_lock)
    thread = threading.Thread(target=re_score)
    thread.start()
    response = client_for(annotator).get(f"/api/v1/projects/{project.id}/next/")
    thread.join(10)
    assert response.status_code == 200
    assert response.json()["document"]["id"] == first.id
    assert response.json()["suggestion"] == {"label": "negative", "score": 0.6}
