"""The annotation queue: leases hand each document to one annotator at a time.

Correctness under concurrency:
- PostgreSQL: candidates are claimed with SELECT ... FOR UPDATE SKIP LOCKED, so two
  annotators asking at once get different rows without waiting on each other.
- SQLite: transactions are IMMEDIATE (see settings), so lease writes are serialised.
- Everywhere: Lease.document is unique, the last line of defence.
"""
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from ..errors import BudgetExhausted, Conflict, InvalidInput, LeaseNotHeld, NotFound
from ..hooks import announce_labels_added
from ..models import Annotation, Document, DocumentState, Label, Lease, Skip

CLAIM_ATTEMPTS = 5


@dataclass(frozen=True)
class Assignment:
    document: Document
    lease: Lease


def annotator_labels_used(project) -> int:
    return Annotation.objects.filter(document__project=project, imported=False).count()


def remaining_budget(project):
    """Labels that may still be made, or None when the project has no budget."""
    if project.label_budget is None:
        return None
    return max(project.label_budget - annotator_labels_used(project), 0)


def release_expired_leases(project) -> int:
    deleted, _ = Lease.objects.filter(document__project=project, expires_at__lte=timezone.now()).delete()
    return deleted


def _available(project, annotator):
    return Document.objects.filter(project=project, state=DocumentState.POOL, lease__isnull=True).exclude(
        skips__annotator=annotator
    )


def _queue_order(project, annotator):
    """Pool documents not leased and not skipped by this annotator, best first."""
    return _available(project, annotator).exclude(evaluation=True).order_by(
        F("priority").desc(nulls_last=True), "random_key", "id"
    )


def _evaluation_order(project, annotator):
    """Candidates for the evaluation sample: the model's scores play no part, only the random key.

    Evaluation documents that came back to the pool (skipped, lease expired) are served first,
    so the sample stays the uniform draw it started as.
    """
    return _available(project, annotator).order_by("-evaluation", "random_key", "id")


def evaluation_due(project) -> bool:
    """True when the next lease should be an evaluation document: every ~1/share-th lease is one."""
    share = project.evaluation_share or 0.0
    if share <= 0:
        return False
    leases = Lease.objects.filter(document__project=project)
    served = annotator_labels_used(project) + leases.count()
    evaluation_served = (
        Document.objects.filter(project=project, evaluation=True, state=DocumentState.LABELED).count()
        + leases.filter(document__evaluation=True).count()
    )
    return evaluation_served < int(share * (served + 1))


def next_document(project, annotator) -> Assignment | None:
    """Lease the best available document to `annotator`; None when the pool is empty.

    An annotator holding the maximum number of leases gets the oldest one back
    (renewed) instead of a new one, so a reloading page cannot drain the pool.
    """
    lease_length = timedelta(minutes=settings.LOOPLABEL_LEASE_MINUTES)
    for _ in range(CLAIM_ATTEMPTS):
        try:
            with transaction.atomic():
                now = timezone.now()
                release_expired_leases(project)
                held = Lease.objects.filter(annotator=annotator, document__project=project).order_by("created_at")
                if held.count() >= settings.LOOPLABEL_MAX_LEASES_PER_ANNOTATOR:
                    lease = held.select_related("document").first()
                    lease.expires_at = now + lease_length
                    lease.save(update_fields=["expires_at"])
                    return Assignment(lease.document, lease)
                _check_budget_allows_lease(project)
                orders = [_queue_order, _evaluation_order]
                if evaluation_due(project):
                    orders.reverse()
                document = None
                for position, order in enumerate(orders):
                    candidates = order(project, annotator)
                    if connection.features.has_select_for_update_skip_locked:
                        candidates = candidates.select_for_update(skip_locked=True, of=("self",))
                    document = candidates.first()
                    if document is not None:
                        break
                if document is None:
                    return None
                if order is _evaluation_order and position == 0 and not document.evaluation:
                    Document.objects.filter(pk=document.pk).update(evaluation=True)
                    document.evaluation = True
                lease = Lease.objects.create(document=document, annotator=annotator, expires_at=now + lease_length)
                return Assignment(document, lease)
        except IntegrityError:
            continue  # another request leased the same row first; pick again
    return None


def _check_budget_allows_lease(project):
    remaining = remaining_budget(project)
    if remaining is None:
        return
    if remaining == 0:
        raise BudgetExhausted("The label budget of this project is used up.")
    open_leases = Lease.objects.filter(document__project=project).count()
    if open_leases >= remaining:
        raise BudgetExhausted(
            f"The remaining budget ({remaining} labels) is held by open leases; try again when they are done."
        )


def _held_lease(project, annotator, document_id) -> Lease:
    """The caller's lease on a document of this project, locked; expired but unclaimed leases still count."""
    if not Document.objects.filter(project=project, pk=document_id).exists():
        raise NotFound(f"Document {document_id} does not exist in this project.")
    lease = Lease.objects.select_for_update().filter(document_id=document_id, annotator=annotator).first()
    if lease is None:
        raise LeaseNotHeld(
            f"You do not hold document {document_id}: its lease expired or it was never handed to you. "
            "Ask for the next document."
        )
    return lease


def submit_annotation(project, annotator, document_id, label_name, seconds_spent=None) -> Annotation:
    label = Label.objects.filter(project=project, name=label_name).first()
    if label is None:
        names = ", ".join(project.labels.values_list("name", flat=True))
        raise InvalidInput(f"Unknown label {label_name!r}; this project's labels are: {names}.")
    if seconds_spent is not None and seconds_spent < 0:
        raise InvalidInput("seconds_spent must not be negative.")
    with transaction.atomic():
        lease = _held_lease(project, annotator, document_id)
        annotation = Annotation.objects.create(
            document_id=document_id, annotator=annotator, label=label, seconds_spent=seconds_spent
        )
        Document.objects.filter(pk=document_id).update(state=DocumentState.LABELED)
        lease.delete()
        announce_labels_added(project.id)
    return annotation


def skip_document(project, annotator, document_id) -> None:
    with transaction.atomic():
        lease = _held_lease(project, annotator, document_id)
        Skip.objects.create(document_id=document_id, annotator=annotator)
        lease.delete()


def undo_annotation(project, annotator, annotation_id) -> Assignment:
    """Take back the caller's own label; the document comes back to them under a fresh lease.

    Not for a document reported for personal data: it stays out of the queue until a lead returns it.
    """
    with transaction.atomic():
        annotation = (
            Annotation.objects.select_for_update()
            .filter(pk=annotation_id, document__project=project, annotator=annotator, imported=False)
            .first()
        )
        if annotation is None:
            raise NotFound(f"Annotation {annotation_id} is not one of your labels in this project.")
        document = Document.objects.select_for_update().get(pk=annotation.document_id)
        if document.state == DocumentState.REPORTED:
            raise Conflict(f"Document {document.id} was reported for personal data, so it stays out of the queue "
                           "and its label cannot be taken back.")
        annotation.delete()
        if not document.annotations.exists():
            document.state = DocumentState.POOL
            document.save(update_fields=["state"])
        expires = timezone.now() + timedelta(minutes=settings.LOOPLABEL_LEASE_MINUTES)
        Lease.objects.filter(document=document).delete()
        lease = Lease.objects.create(document=document, annotator=annotator, expires_at=expires)
    return Assignment(document, lease)


def held_leases(project, annotator):
    return (
        Lease.objects.filter(annotator=annotator, document__project=project, expires_at__gt=timezone.now())
        .select_related("document", "document__suggested_label")
        .order_by("created_at")
    )


def set_priorities(project, scores) -> int:
    """Re-order the queue: `scores` maps document id -> (priority, suggested label id, score).

    Called by the model loop after scoring the pool; higher priority is served first.
    One parameterised UPDATE per row through executemany: for 20,000 rows this is a
    fraction of a second, where bulk_update's CASE expressions grow quadratically.
    """
    rows = [
        (None if priority is None else float(priority), label_id, None if score is None else float(score), int(doc_id))
        for doc_id, (priority, label_id, score) in scores.items()
    ]
    if not rows:
        return 0
    table = connection.ops.quote_name(Document._meta.db_table)
    sql = (f"UPDATE {table} SET priority = %s, suggested_label_id = %s, suggested_score = %s "
           f"WHERE id = %s AND project_id = {int(project.pk)}")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    return len(rows)
