"""The leased queue: who gets what, in which order, and what submit, skip, undo and expiry do."""
from datetime import timedelta

import pytest
from django.utils import timezone

from labeling.errors import BudgetExhausted, InvalidInput, LeaseNotHeld, NotFound
from labeling.models import Annotation, Document, DocumentState, Lease, Skip
from labeling.services import queue
from labeling.services.projects import set_member

from ..conftest import import_texts

pytestmark = pytest.mark.django_db


@pytest.fixture
def pool(project, lead):
    import_texts(project, lead, "text\n" + "".join(f"Text number {i}\n" for i in range(6)))
    return project


def test_two_annotators_get_different_documents(pool, annotator, make_user):
    other = make_user("second")
    set_member(pool, other.username, "annotator")
    first = queue.next_document(pool, annotator)
    second = queue.next_document(pool, other)
    assert first.document.id != second.document.id
    assert Lease.objects.count() == 2


def test_model_priority_orders_the_queue(pool, annotator):
    docs = list(Document.objects.filter(project=pool).order_by("id"))
    queue.set_priorities(pool, {doc.id: (float(i), None, None) for i, doc in enumerate(docs)})
    served = [queue.next_document(pool, annotator).document.id for _ in range(3)]
    assert served == [docs[5].id, docs[4].id, docs[3].id]


def test_before_a_model_the_order_is_the_random_key(pool, annotator):
    expected = list(Document.objects.filter(project=pool).order_by("random_key").values_list("id", flat=True)[:2])
    assert [queue.next_document(pool, annotator).document.id for _ in range(2)] == expected


def test_submit_consumes_the_lease_and_marks_the_document(pool, annotator):
    assignment = queue.next_document(pool, annotator)
    annotation = queue.submit_annotation(pool, annotator, assignment.document.id, "positive", seconds_spent=2.5)
    assert annotation.label.name == "positive" and annotation.seconds_spent == 2.5
    assert not Lease.objects.exists()
    assert Document.objects.get(pk=assignment.document.id).state == DocumentState.LABELED


def test_submitting_without_a_lease_or_twice_is_a_conflict(pool, annotator, make_user):
    other = make_user("second")
    set_member(pool, other.username, "annotator")
    assignment = queue.next_document(pool, annotator)
    with pytest.raises(LeaseNotHeld):
        queue.submit_annotation(pool, other, assignment.document.id, "positive")
    queue.submit_annotation(pool, annotator, assignment.document.id, "positive")
    with pytest.raises(LeaseNotHeld):
        queue.submit_annotation(pool, annotator, assignment.document.id, "negative")
    assert Annotation.objects.count() == 1


def test_unknown_label_and_foreign_document_store_nothing(pool, annotator, lead):
    from labeling.services.projects import create_project

    assignment = queue.next_document(pool, annotator)
    with pytest.raises(InvalidInput, match="Unknown label 'great'"):
        queue.submit_annotation(pool, annotator, assignment.document.id, "great")
    other_project = create_project(lead, name="Other", labels=[{"name": "a"}, {"name": "b"}])
    with pytest.raises(NotFound):
        queue.submit_annotation(other_project, annotator, assignment.document.id, "a")
    assert not Annotation.objects.exists()
    assert Lease.objects.filter(document=assignment.document).exists()


def test_skip_releases_the_document_to_others_but_not_back_to_the_skipper(pool, annotator, make_user):
    other = make_user("second")
    set_member(pool, other.username, "annotator")
    docs = list(Document.objects.filter(project=pool))
    queue.set_priorities(pool, {doc.id: (1.0 if i == 0 else 0.0, None, None) for i, doc in enumerate(docs)})
    top = queue.next_document(pool, annotator).document
    queue.skip_document(pool, annotator, top.id)
    assert Skip.objects.filter(document=top, annotator=annotator).exists()
    assert queue.next_document(pool, annotator).document.id != top.id
    assert queue.next_document(pool, other).document.id == top.id


def test_expired_leases_return_to_the_pool(pool, annotator, make_user):
    other = make_user("second")
    set_member(pool, other.username, "annotator")
    docs = list(Document.objects.filter(project=pool))
    queue.set_priorities(pool, {doc.id: (1.0 if i == 0 else 0.0, None, None) for i, doc in enumerate(docs)})
    held = queue.next_document(pool, annotator)
    Lease.objects.filter(pk=held.lease.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert queue.next_document(pool, other).document.id == held.document.id
    with pytest.raises(LeaseNotHeld, match="expired"):
        queue.submit_annotation(pool, annotator, held.document.id, "positive")


def test_an_expired_lease_nobody_took_can_still_be_submitted(pool, annotator):
    held = queue.next_document(pool, annotator)
    Lease.objects.filter(pk=held.lease.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    queue.submit_annotation(pool, annotator, held.document.id, "neutral")
    assert Annotation.objects.count() == 1


def test_empty_pool_gives_none(project, annotator):
    assert queue.next_document(project, annotator) is None


def test_an_annotator_holding_the_maximum_gets_the_oldest_lease_back(pool, annotator, settings):
    settings.LOOPLABEL_MAX_LEASES_PER_ANNOTATOR = 2
    first = queue.next_document(pool, annotator)
    queue.next_document(pool, annotator)
    again = queue.next_document(pool, annotator)
    assert again.document.id == first.document.id
    assert Lease.objects.count() == 2


def test_budget_stops_the_queue_and_counts_open_leases(pool, annotator, make_user):
    other = make_user("second")
    set_member(pool, other.username, "annotator")
    pool.label_budget = 2
    pool.save()
    first = queue.next_document(pool, annotator)
    queue.next_document(pool, annotator)
    with pytest.raises(BudgetExhausted, match="held by open leases"):
        queue.next_document(pool, other)
    queue.submit_annotation(pool, annotator, first.document.id, "positive")
    assert queue.remaining_budget(pool) == 1


def test_budget_used_up_is_a_conflict(pool, annotator):
    pool.label_budget = 1
    pool.save()
    queue.submit_annotation(pool, annotator, queue.next_document(pool, annotator).document.id, "positive")
    with pytest.raises(BudgetExhausted, match="used up"):
        queue.next_document(pool, annotator)


def test_imported_seed_labels_do_not_use_budget(project, lead):
    project.label_budget = 5
    project.save()
    import_texts(project, lead, "text,label\na,positive\nb,negative\n", label_field="label")
    assert queue.remaining_budget(project) == 5


def test_undo_gives_the_document_back_to_its_annotator(pool, annotator, make_user):
    held = queue.next_document(pool, annotator)
    annotation = queue.submit_annotation(pool, annotator, held.document.id, "positive")
    back = queue.undo_annotation(pool, annotator, annotation.id)
    assert back.document.id == held.document.id and back.lease.annotator == annotator
    assert Document.objects.get(pk=held.document.id).state == DocumentState.POOL
    assert not Annotation.objects.exists()
    other = make_user("second")
    with pytest.raises(NotFound):
        queue.undo_annotation(pool, other, annotation.id)


def test_labels_announce_themselves_after_commit(pool, annotator, django_capture_on_commit_callbacks):
    from labeling import hooks

    heard = []
    hooks.on_labels_added(heard.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            queue.submit_annotation(pool, annotator, queue.next_document(pool, annotator).document.id, "positive")
    finally:
        hooks.labels_added.disconnect(heard.append)
    assert heard == [pool.id]


def _exact_tally(project):
    leases = Lease.objects.filter(project=project)
    return {"labels_used": Annotation.objects.filter(document__project=project, imported=False).count(),
            "open_leases": leases.count()}


def test_the_tally_follows_every_change_to_labels_and_leases(pool, annotator, make_user, lead):
    from labeling.services.personal_data import report_pii

    other = make_user("second")
    set_member(pool, other.username, "annotator")
    first, second, third = (queue.next_document(pool, annotator) for _ in range(3))
    annotation = queue.submit_annotation(pool, annotator, first.document.id, "positive")
    queue.skip_document(pool, annotator, second.document.id)
    queue.undo_annotation(pool, annotator, annotation.id)
    Lease.objects.filter(pk=third.lease.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    reported = queue.next_document(pool, other)  # also releases the expired lease
    report_pii(pool, lead, reported.document.id)
    queue.submit_annotation(pool, annotator, first.document.id, "neutral")
    tally = queue.tally_of(pool)
    assert {"labels_used": tally.labels_used, "open_leases": tally.open_leases} == _exact_tally(pool)
    assert (tally.labels_used, tally.open_leases) == (1, 0)


def test_a_tally_that_runs_high_refuses_nobody_the_budget_allows(pool, annotator):
    """Leases deleted behind the queue's back (with an annotator's account) leave the tally high: the exact count decides."""
    from labeling.models import QueueTally

    pool.label_budget = 2
    pool.save()
    QueueTally.objects.filter(project=pool).update(open_leases=5)
    assert queue.next_document(pool, annotator) is not None


def test_a_project_without_a_tally_gets_one_counted(pool, annotator):
    from labeling.models import QueueTally

    held = queue.next_document(pool, annotator)
    queue.submit_annotation(pool, annotator, held.document.id, "positive")
    queue.next_document(pool, annotator)
    QueueTally.objects.filter(project=pool).delete()
    tally = queue.tally_of(pool)
    assert (tally.labels_used, tally.open_leases, tally.leases_served) == (1, 1, 2)
