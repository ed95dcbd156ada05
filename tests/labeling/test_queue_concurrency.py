"""Many annotators asking at the same moment never receive the same document.

Runs against whichever database DATABASE_URL names: on PostgreSQL it exercises
SELECT ... FOR UPDATE SKIP LOCKED, on SQLite the IMMEDIATE transactions.
"""
import threading

import pytest
from django.db import connection, connections

from labeling.models import Lease
from labeling.services import queue
from labeling.services.projects import set_member

from ..conftest import import_texts

ANNOTATORS = 6
REQUESTS_EACH = 5


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("spare", [3, 0])
def test_concurrent_next_hands_out_each_document_once(project, lead, make_user, settings, spare):
    """With `spare` 0 the last free texts are fought over: every request still gets one, and only then is nothing left."""
    settings.LOOPLABEL_MAX_LEASES_PER_ANNOTATOR = REQUESTS_EACH
    import_texts(project, lead, "text\n" + "".join(f"Document {i}\n" for i in range(ANNOTATORS * REQUESTS_EACH + spare)))
    users = [make_user(f"annotator-{i}") for i in range(ANNOTATORS)]
    for user in users:
        set_member(project, user.username, "annotator")
    start = threading.Barrier(ANNOTATORS)
    served, errors = [], []

    def work(user):
        try:
            start.wait()
            for _ in range(REQUESTS_EACH):
                assignment = queue.next_document(project, user)
                served.append((user.id, assignment.document.id))
        except Exception as exc:  # reported below; a thread's exception would otherwise vanish
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    documents = [doc for _, doc in served]
    assert len(documents) == ANNOTATORS * REQUESTS_EACH
    assert len(set(documents)) == len(documents), f"a document was handed out twice on {connection.vendor}"
    assert Lease.objects.count() == len(documents)
    assert (queue.next_document(project, make_user("late")) is None) == (spare == 0)
