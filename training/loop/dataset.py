"""What the loop learns from and scores: labels, the evaluation sample, the pool.

Honest metrics: labels on the queue's evaluation sample (uniform draws, see
labeling.services.queue) never train; once there are MIN_EVALUATION of them, metrics
come from them, otherwise from a split of the training labels (flagged as biased).
"""
import random

import numpy as np
from django.db.models import Max

from labeling.models import Annotation, Document, DocumentState

VALIDATION_SHARE = 0.2
MIN_LABELS = 4
MIN_EVALUATION = 10  # evaluation-sample labels needed before metrics come from the sample


class NotTrainable(Exception):
    """The project's labels cannot train a model yet; the message says why."""


def last_annotation_id(project) -> int:
    """The newest annotation of the project; a version records it to know which labels it saw."""
    return Annotation.objects.filter(document__project=project).aggregate(m=Max("id"))["m"] or 0


def check_trainable(project) -> None:
    """Raise NotTrainable with a reason when the project's labels cannot train a model yet."""
    training_data(project, None)


def _latest_labels(project, up_to_annotation_id, *, evaluation):
    annotations = Annotation.objects.filter(document__project=project, document__state=DocumentState.LABELED,
                                            document__evaluation=evaluation)
    if up_to_annotation_id is not None:
        annotations = annotations.filter(id__lte=up_to_annotation_id)
    latest = {}
    for doc_id, text, label in annotations.order_by("id").values_list("document_id", "document__text", "label__name"):
        latest[doc_id] = (text, label)
    return latest


def training_data(project, up_to_annotation_id, *, with_ids=False):
    """Texts and class indices of labeled documents outside the evaluation sample, one per document (its latest label)."""
    latest = _latest_labels(project, up_to_annotation_id, evaluation=False)
    label_names = list(project.labels.values_list("name", flat=True))
    used = {label for _, label in latest.values()}
    if len(latest) < MIN_LABELS or len(used) < 2:
        raise NotTrainable(f"Training needs at least {MIN_LABELS} labels from at least two classes "
                           f"(have {len(latest)} labels in {len(used)} classes).")
    index = {name: i for i, name in enumerate(label_names)}
    texts = [text for text, _ in latest.values()]
    targets = [index[label] for _, label in latest.values()]
    if with_ids:
        return texts, targets, label_names, list(latest)
    return texts, targets, label_names


def evaluation_data(project, up_to_annotation_id, label_names):
    """(doc ids, texts, class indices) of the labeled evaluation sample."""
    latest = _latest_labels(project, up_to_annotation_id, evaluation=True)
    index = {name: i for i, name in enumerate(label_names)}
    ids = [doc_id for doc_id, (_, label) in latest.items() if label in index]
    return ids, [latest[i][0] for i in ids], [index[latest[i][1]] for i in ids]


def validation_split(targets, share=VALIDATION_SHARE, seed=0):
    """Stratified split of positions; classes with fewer than 3 examples stay all in training."""
    rng = random.Random(seed)
    by_class = {}
    for position, target in enumerate(targets):
        by_class.setdefault(target, []).append(position)
    validation = []
    for positions in by_class.values():
        if len(positions) >= 3:
            rng.shuffle(positions)
            validation.extend(positions[: max(1, round(share * len(positions)))])
    held_out = set(validation)
    return [p for p in range(len(targets)) if p not in held_out], sorted(validation)


def loop_documents(project):
    """Every document the loop scores or learns from, in id order."""
    return Document.objects.filter(project=project, state__in=[DocumentState.POOL, DocumentState.LABELED]).order_by("id")


def project_documents(project):
    """(ids, texts) of `loop_documents`."""
    rows = list(loop_documents(project).values_list("id", "text"))
    return np.array([r[0] for r in rows], dtype=np.int64), [r[1] for r in rows]


def texts_by_id(doc_ids):
    """(the ids that still exist, in the given order, and their texts)."""
    texts = dict(Document.objects.filter(pk__in=list(doc_ids)).values_list("id", "text"))
    kept = [i for i in doc_ids if i in texts]
    return kept, [texts[i] for i in kept]


def uncached_documents(project, cached_ids) -> list[int]:
    """Ids of the documents the loop scores (pool and labeled) that `cached_ids` lacks."""
    current = np.fromiter(loop_documents(project).values_list("id", flat=True), dtype=np.int64)
    return current[~np.isin(current, cached_ids)].tolist()


def orderable_rows(project, ids):
    """(pool documents -> evaluation flag, rows of `ids` whose documents the model may order: in the pool, not evaluation)."""
    pool = dict(Document.objects.filter(project=project, state=DocumentState.POOL).values_list("id", "evaluation"))
    rows = np.array([row for row, doc_id in enumerate(ids.tolist()) if doc_id in pool and not pool[doc_id]], dtype=int)
    return pool, rows
