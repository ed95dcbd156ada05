"""The queue's order: what the newest model is least sure of, spread over the pool.

Batches combine uncertainty with diversity (cluster-interleaved top-uncertain candidates,
near-duplicates deferred); before any model, the cold start orders the pool for coverage.
"""
import numpy as np

from labeling.services.queue import set_priorities

from ..ml.selection import coverage_order, diverse_order, priorities_from_order
from ..ml.strategies import uncertainty
from .dataset import orderable_rows

DIVERSITY = {"candidates": 500, "n_clusters": 20, "batch": 50, "duplicate_cosine": 0.95}


def order_by_uncertainty(project, label_names, seed, ids, probabilities, embeddings) -> int:
    """Write the pool's priorities and suggestions from a model's probabilities; returns how many were ordered.

    `label_names` name the probabilities' columns; `seed` (the version number) fixes the
    diversity clustering.
    """
    pool, rows = orderable_rows(project, ids)
    label_ids = dict(project.labels.values_list("name", "id"))
    best = probabilities.argmax(1)
    scored = set(ids[rows].tolist())
    scores = {doc_id: (None, None, None) for doc_id in pool if doc_id not in scored}
    if len(rows):
        uncertain = uncertainty(project.query_strategy, probabilities[rows])
        priority = None
        if uncertain is not None:
            # Float noise (batch composition changes padding) must not reorder near-ties: chunked
            # and whole-pool scoring write the same queue.
            uncertain = np.round(uncertain, 4)
            order = diverse_order(embeddings[rows], uncertain, seed=seed, **DIVERSITY)
            priority = priorities_from_order(order, len(rows))
        for position, row in enumerate(rows.tolist()):
            scores[int(ids[row])] = (
                None if priority is None else float(priority[position]),
                label_ids.get(label_names[best[row]]),
                float(probabilities[row, best[row]]),
            )
    set_priorities(project, scores)
    return len(rows)


def order_for_coverage(project, ids, embeddings, n_clusters) -> int:
    """Before any model: k-means centroids first, so the first labels cover the pool; returns how many were ordered."""
    _, rows = orderable_rows(project, ids)
    order = coverage_order(embeddings[rows], n_clusters=n_clusters)
    priority = priorities_from_order(order, len(rows))
    set_priorities(project, {int(ids[row]): (float(priority[p]), None, None) for p, row in enumerate(rows.tolist())})
    return len(rows)
