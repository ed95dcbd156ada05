"""The annotation queue: leases hand each document to one annotator at a time.

Correctness under concurrency:
- PostgreSQL: candidates are claimed with SELECT ... FOR UPDATE SKIP LOCKED, so two
  annotators asking at once get different rows without waiting on each other. When every
  free candidate is locked by others (claims in flight, the loop re-writing the queue order),
  `next` asks again until one is free: it answers "nothing left" only when no free document
  exists, and 503 (try again) if they stay locked for seconds.
- SQLite: transactions are IMMEDIATE (see settings), so lease writes are serialised; a
  "database is locked" is retried (labeling.services.retry).
- Everywhere: Lease.document is unique, the last line of defence; a claim that loses a row
  to a lease committed meanwhile starts again and sees that lease.

Cost: `next` reads the top of one index (labeling.models.QUEUE_ORDER, EVALUATION_ORDER) and the
project's QueueTally; `submit` touches its own rows. Neither counts the project's annotations or
leases, so both cost the same few queries at any pool size, label count or number of annotators.
"""
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from ..errors import BudgetExhausted, Conflict, InvalidInput, LeaseNotHeld, NotFound, QueueBusy
from ..hooks import announce_labels_added
from ..models import (
    EVALUATION_ORDER,
    QUEUE_ORDER,
    Annotation,
    Document,
    DocumentState,
    Label,
    Lease,
    QueueTally,
    Skip,
)
from .retry import retry_when_locked

# Each failed claim means another annotator's lease on that row committed first, so a claim
# that fails this often in a row meets a crowd, not an empty pool: 503, never "nothing left".
CLAIM_ATTEMPTS = 20
# Rows of the queue order written per transaction (set_priorities).
PRIORITY_BATCH = 500
# How long `next` asks again while every free text is locked by others (_first_free).
LOCKED_WAIT_SECONDS = 5.0


@dataclass(frozen=True)
class Assignment:
    document: Document
    lease: Lease


def annotator_labels_used(project) -> int:
    """Exactly counted; for pages and reports (the queue reads its QueueTally instead)."""
    return Annotation.objects.filter(document__project=project, imported=False).count()


def _open_leases(project) -> int:
    return Lease.objects.filter(project=project).count()


def remaining_budget(project):
    """Labels that may still be made, or None when the project has no budget."""
    if project.label_budget is None:
        return None
    return max(project.label_budget - annotator_labels_used(project), 0)


def tally_of(project) -> QueueTally:
    """The project's running figures; counted once for a project that has none yet."""
    tally = QueueTally.objects.filter(project=project).first()
    if tally is None:
        labels, leases = annotator_labels_used(project), Lease.objects.filter(project=project)
        evaluation = (Document.objects.filter(project=project, evaluation=True, state=DocumentState.LABELED).count()
                      + leases.filter(document__evaluation=True).count())
        open_leases = leases.count()
        tally = QueueTally.objects.get_or_create(project=project, defaults={
            "labels_used": labels, "open_leases": open_leases,
            "leases_served": labels + open_leases, "evaluation_served": evaluation,
        })[0]
    return tally


def _record(project, **changes):
    """Add `changes` to the project's tally, as the transaction's last lock (QueueTally says why)."""
    changes = {name: F(name) + delta for name, delta in changes.items() if delta}
    if changes:
        QueueTally.objects.filter(project=project).update(**changes)


def release_expired_leases(project) -> int:
    """Delete the project's expired leases; returns how many, for the caller to record.

    Rows another request holds are left to it (SKIP LOCKED): it may be submitting one (an expired
    lease nobody took still counts), and two requests deleting the same rows never wait on each other.
    """
    expired = Lease.objects.filter(project=project, expires_at__lte=timezone.now())
    if connection.features.has_select_for_update_skip_locked:
        expired = expired.select_for_update(skip_locked=True, of=("self",))
    ids = list(expired.values_list("id", flat=True))
    if ids:
        Lease.objects.filter(id__in=ids).delete()
    return len(ids)


def _available(project, annotator):
    skipped = Skip.objects.filter(document=OuterRef("pk"), annotator=annotator)
    return (Document.objects.filter(project=project, state=DocumentState.POOL, lease__isnull=True)
            .filter(~Exists(skipped)).select_related("suggested_label"))


def _queue_order(project, annotator):
    """Pool documents not leased and not skipped by this annotator, best first."""
    # Not `evaluation=False`: Django writes that as `NOT evaluation`, which SQLite cannot match to the
    # index's `evaluation` column, so it sorted the whole pool on every `next` (~50 ms at 100,000 texts).
    return _available(project, annotator).filter(evaluation__in=[False]).order_by(*QUEUE_ORDER)


def _evaluation_order(project, annotator):
    """Candidates for the evaluation sample: the model's scores play no part, only the random key.

    Evaluation documents that came back to the pool (skipped, lease expired) are served first,
    so the sample stays the uniform draw it started as.
    """
    return _available(project, annotator).order_by(*EVALUATION_ORDER)


def evaluation_due(project, tally=None) -> bool:
    """True when the next lease should be an evaluation document: every ~1/share-th new lease is one."""
    share = project.evaluation_share or 0.0
    if share <= 0:
        return False
    tally = tally or tally_of(project)
    return tally.evaluation_served < int(share * (tally.leases_served + 1))


@retry_when_locked
def next_document(project, annotator) -> Assignment | None:
    """Lease the best available document to `annotator`; None only when no free document is left for them.

    An annotator holding the maximum number of leases gets the oldest one back
    (renewed) instead of a new one, so a reloading page cannot drain the pool.
    """
    for _ in range(CLAIM_ATTEMPTS):
        try:
            with transaction.atomic():
                return _lease_next(project, annotator)
        except IntegrityError:
            continue  # another request leased the row we picked and committed first; pick again, seeing its lease
    raise QueueBusy("Too many annotators asked for the same texts at once; try again.")


def _lease_next(project, annotator) -> Assignment | None:
    now = timezone.now()
    lease_length = timedelta(minutes=settings.LOOPLABEL_LEASE_MINUTES)
    tally = tally_of(project)  # first: a tally counted now still counts the expired leases recorded below
    expired = release_expired_leases(project)
    held = list(Lease.objects.filter(project=project, annotator=annotator)
                .select_related("document__suggested_label").order_by("created_at")
                [:settings.LOOPLABEL_MAX_LEASES_PER_ANNOTATOR])
    if len(held) >= settings.LOOPLABEL_MAX_LEASES_PER_ANNOTATOR:
        lease = held[0]
        lease.expires_at = now + lease_length
        lease.save(update_fields=["expires_at"])
        _record(project, open_leases=-expired)
        return Assignment(lease.document, lease)
    _check_budget_allows_lease(project, tally)
    document = _claim(project, annotator, evaluation_due(project, tally))
    if document is None:
        _record(project, open_leases=-expired)
        return None
    lease = Lease.objects.create(project=project, document=document, annotator=annotator, expires_at=now + lease_length)
    _record(project, open_leases=1 - expired, leases_served=1, evaluation_served=int(document.evaluation))
    return Assignment(document, lease)


def _claim(project, annotator, evaluation_is_due) -> Document | None:
    """The best free document for `annotator`, locked; marked when it is drawn for the evaluation sample."""
    orders = [_evaluation_order, _queue_order] if evaluation_is_due else [_queue_order, _evaluation_order]
    for position, order in enumerate(orders):
        document = _first_free(order(project, annotator))
        if document is not None:
            break
    else:
        return None
    if order is _evaluation_order and position == 0 and not document.evaluation:
        Document.objects.filter(pk=document.pk).update(evaluation=True)
        document.evaluation = True
    if document.suggested_label_id is not None and document.suggested_label is None:
        # PostgreSQL locks a row the loop re-wrote (set_priorities) after this query's snapshot in its
        # newest version, but re-checks it against the label row it joined first, which no longer
        # matches: the join comes back empty while the document names its new label.
        document.suggested_label = Label.objects.get(pk=document.suggested_label_id)
    return document


def _first_free(candidates) -> Document | None:
    """The first of `candidates`, locked for this transaction; None only when there is none.

    PostgreSQL: SKIP LOCKED scans past rows other transactions hold. When it finds nothing although
    candidates exist, every one is locked by others (claims in flight, the loop re-writing priorities
    in short batches): ask again shortly, until one is free or none is left. It never waits on a row
    lock, which could close a cycle with a batch that holds rows and waits for this one's. Past
    LOCKED_WAIT_SECONDS the caller hears 503 (QueueBusy), never "nothing left". SQLite: this
    transaction holds the write lock, so nobody else claims meanwhile.
    """
    if not connection.features.has_select_for_update_skip_locked:
        return candidates.first()
    free = candidates.select_for_update(skip_locked=True, of=("self",))
    deadline, pause = time.monotonic() + LOCKED_WAIT_SECONDS, 0.01
    while True:
        document = free.first()
        if document is not None or not candidates.exists():
            return document
        if time.monotonic() > deadline:
            raise QueueBusy("Every free text is being written by someone else right now; try again.")
        time.sleep(pause)
        pause = min(2 * pause, 0.2)


def _check_budget_allows_lease(project, tally):
    """Refuse a lease the budget cannot pay for: used up, or all that is left held by open leases.

    The tally decides when it allows the lease. Its figures may only run high (leases deleted with
    an annotator's account), so before refusing anybody the rows are counted exactly: that count
    runs at the budget's edge alone.
    """
    budget = project.label_budget
    if budget is None or tally.labels_used + tally.open_leases < budget:
        return
    remaining = max(budget - annotator_labels_used(project), 0)
    if remaining == 0:
        raise BudgetExhausted("The label budget of this project is used up.")
    if _open_leases(project) >= remaining:
        raise BudgetExhausted(
            f"The remaining budget ({remaining} labels) is held by open leases; try again when they are done."
        )


def _held_lease(project, annotator, document_id) -> Lease:
    """The caller's lease on a document of this project, locked; expired but unclaimed leases still count."""
    lease = (Lease.objects.select_for_update(of=("self",))
             .filter(project=project, document_id=document_id, annotator=annotator).first())
    if lease is not None:
        return lease
    if not Document.objects.filter(project=project, pk=document_id).exists():
        raise NotFound(f"Document {document_id} does not exist in this project.")
    raise LeaseNotHeld(
        f"You do not hold document {document_id}: its lease expired or it was never handed to you. "
        "Ask for the next document."
    )


@retry_when_locked
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
        _record(project, labels_used=1, open_leases=-1)
        announce_labels_added(project.id)
    return annotation


@retry_when_locked
def skip_document(project, annotator, document_id) -> None:
    with transaction.atomic():
        lease = _held_lease(project, annotator, document_id)
        Skip.objects.create(document_id=document_id, annotator=annotator)
        lease.delete()
        _record(project, open_leases=-1)


@retry_when_locked
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
        released, _ = Lease.objects.filter(document=document).delete()
        lease = Lease.objects.create(project=project, document=document, annotator=annotator, expires_at=expires)
        _record(project, labels_used=-1, open_leases=1 - released)
    return Assignment(document, lease)


def withdraw_document(project, document) -> None:
    """Take a document's lease back (it leaves the queue, e.g. reported for personal data); in the caller's transaction."""
    released, _ = Lease.objects.filter(document=document).delete()
    _record(project, open_leases=-released)


def held_leases(project, annotator):
    return (
        Lease.objects.filter(project=project, annotator=annotator, expires_at__gt=timezone.now())
        .select_related("document", "document__suggested_label")
        .order_by("created_at")
    )


def set_priorities(project, scores) -> int:
    """Re-order the queue: `scores` maps document id -> (priority, suggested label id, score).

    Called by the model loop after scoring the pool; higher priority is served first.
    One parameterised UPDATE per row through executemany: for 20,000 rows this is a
    fraction of a second, where bulk_update's CASE expressions grow quadratically. Each batch of
    PRIORITY_BATCH rows is its own short transaction, so annotators' requests never wait long
    behind it (SQLite has one writer at a time; `next` on PostgreSQL may wait for a locked row);
    a queue re-ordered half-way for a moment still serves well-ranked documents.
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
    with connection.cursor() as cursor:
        for start in range(0, len(rows), PRIORITY_BATCH):
            with transaction.atomic():
                cursor.executemany(sql, rows[start:start + PRIORITY_BATCH])
    return len(rows)
