"""Which documents go to the top of the queue: coverage before any label, uncertainty with diversity after.

- Cold start (`coverage_order`): k-means on the base encoder's embeddings; the queue takes
  the document nearest each centroid first (largest clusters first), then the second
  nearest of each, and so on, so the first batch covers the data instead of its mode.
- Batches (`diverse_order`, cluster-margin style): the most uncertain candidates are
  clustered and served round-robin across clusters, most uncertain first inside each; a
  candidate nearly identical (cosine >= threshold) to one already placed in the same batch
  window moves behind the batch. Concurrent annotators therefore lease different kinds of
  documents instead of the same short string again and again.
"""
import numpy as np
from sklearn.cluster import KMeans, MiniBatchKMeans


def _normalise(embeddings):
    embeddings = np.asarray(embeddings, dtype=np.float32)
    return embeddings / np.maximum(np.linalg.norm(embeddings, axis=1, keepdims=True), 1e-9)


def kmeans(embeddings, n_clusters, seed=0):
    """(labels, distances to own centroid); MiniBatchKMeans beyond 20,000 rows."""
    n_clusters = max(1, min(n_clusters, len(embeddings)))
    if len(embeddings) > 20_000:
        model = MiniBatchKMeans(n_clusters=n_clusters, random_state=seed, n_init=3, batch_size=4096)
    else:
        model = KMeans(n_clusters=n_clusters, random_state=seed, n_init=2)
    labels = model.fit_predict(embeddings)
    distances = np.linalg.norm(embeddings - model.cluster_centers_[labels], axis=1)
    return labels, distances


def fast_kmeans(points, n_clusters, seed=0, iterations=15):
    """Small k-means in numpy (k-means++ start, Lloyd steps) for a few hundred candidates.

    sklearn's KMeans costs ~1 s here, mostly thread-pool start-up in k-means++; this takes
    milliseconds, which the 3-second head-refit budget needs.
    """
    points = np.asarray(points, dtype=np.float32)
    n = len(points)
    n_clusters = max(1, min(n_clusters, n))
    rng = np.random.default_rng(seed)
    squared = (points ** 2).sum(1)
    centres = [int(rng.integers(n))]
    closest = np.maximum(squared + squared[centres[0]] - 2 * points @ points[centres[0]], 0)
    for _ in range(1, n_clusters):
        total = closest.sum()
        pick = int(rng.choice(n, p=closest / total)) if total > 0 else int(rng.integers(n))
        centres.append(pick)
        closest = np.minimum(closest, np.maximum(squared + squared[pick] - 2 * points @ points[pick], 0))
    centroids = points[centres].copy()
    labels = np.zeros(n, dtype=int)
    for _ in range(iterations):
        distances = squared[:, None] + (centroids ** 2).sum(1)[None, :] - 2 * points @ centroids.T
        new_labels = distances.argmin(1)
        if _ and (new_labels == labels).all():
            break
        labels = new_labels
        for c in range(n_clusters):
            members = points[labels == c]
            if len(members):
                centroids[c] = members.mean(0)
    return labels


def _round_robin(groups):
    """Interleave lists: first of each, then second of each, ..."""
    out, depth = [], 0
    longest = max((len(g) for g in groups), default=0)
    while depth < longest:
        out.extend(g[depth] for g in groups if depth < len(g))
        depth += 1
    return out


def coverage_order(embeddings, n_clusters=20, seed=0) -> np.ndarray:
    """A permutation of rows: centroid-nearest documents of all clusters first."""
    if len(embeddings) == 0:
        return np.zeros(0, dtype=int)
    labels, distances = kmeans(_normalise(embeddings), n_clusters, seed)
    clusters = sorted(set(labels.tolist()), key=lambda c: -(labels == c).sum())
    groups = [list(np.flatnonzero(labels == c)[np.argsort(distances[labels == c], kind="stable")]) for c in clusters]
    return np.array(_round_robin(groups), dtype=int)


def diverse_order(embeddings, uncertainty, *, candidates=500, n_clusters=20, batch=50, duplicate_cosine=0.95,
                  seed=0) -> np.ndarray:
    """A permutation of rows: top-`candidates` by uncertainty interleaved across clusters, then the rest."""
    uncertainty = np.asarray(uncertainty, dtype=np.float64)
    by_uncertainty = np.argsort(-uncertainty, kind="stable")
    top = by_uncertainty[:candidates]
    rest = by_uncertainty[candidates:]
    if len(top) <= 2:
        return by_uncertainty
    normalised = _normalise(embeddings[top])
    labels = fast_kmeans(normalised, min(n_clusters, max(1, len(top) // 4)), seed)
    # Inside a cluster: most uncertain first; clusters: the one with the most uncertain member first.
    groups = [[i for i in range(len(top)) if labels[i] == c] for c in dict.fromkeys(labels.tolist())]
    interleaved = _round_robin(groups)
    placed, deferred = [], []
    for i in interleaved:
        window = placed[len(placed) - len(placed) % batch:]  # the batch being filled
        if window and float(np.max(normalised[window] @ normalised[i])) >= duplicate_cosine:
            deferred.append(i)
        else:
            placed.append(i)
    return np.concatenate([top[placed + deferred], rest]).astype(int)


def priorities_from_order(order, n) -> np.ndarray:
    """Priority per row so that sorting by priority desc reproduces `order`: 1.0 for the first, down to ~0."""
    priority = np.zeros(n, dtype=np.float64)
    priority[order] = (n - np.arange(len(order))) / max(n, 1)
    return priority
