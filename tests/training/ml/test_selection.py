"""Selection without a database: coverage for the cold start, diversity within a batch, uncertainty strategies."""
import numpy as np

from training.ml.selection import coverage_order, diverse_order
from training.ml.strategies import uncertainty


def test_cold_start_picks_documents_from_different_clusters():
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(4, 16)) * 10
    sizes = [60, 30, 20, 10]
    embeddings = np.vstack([centre + rng.normal(size=(size, 16)) for centre, size in zip(centres, sizes)])
    blob = np.repeat(np.arange(4), sizes)
    order = coverage_order(embeddings, n_clusters=4)
    assert sorted(order.tolist()) == list(range(len(embeddings)))
    assert set(blob[order[:4]].tolist()) == {0, 1, 2, 3}
    # Random picks of 4 would usually repeat the big cluster; the first 8 cover each cluster twice.
    assert sorted(blob[order[:8]].tolist()) == [0, 0, 1, 1, 2, 2, 3, 3]


def test_diversity_keeps_near_duplicates_out_of_one_batch():
    rng = np.random.default_rng(1)
    distinct = rng.normal(size=(200, 32))
    duplicate = rng.normal(size=32)
    embeddings = np.vstack([np.tile(duplicate, (20, 1)) + rng.normal(scale=1e-3, size=(20, 32)), distinct])
    scores = np.concatenate([np.full(20, 0.99), rng.uniform(0, 0.9, size=200)])  # the duplicates are the most uncertain
    pure = np.argsort(-scores)[:10]
    assert (pure < 20).sum() == 10  # pure uncertainty: one batch of the same text
    order = diverse_order(embeddings, scores, candidates=100, n_clusters=10, batch=10)
    assert sorted(order.tolist()) == list(range(220))
    assert (order[:10] < 20).sum() <= 1


def test_strategies_unchanged():
    probabilities = np.array([[0.98, 0.01, 0.01], [0.4, 0.35, 0.25], [0.6, 0.3, 0.1]])
    for name in ("least_confidence", "margin", "entropy"):
        scores = uncertainty(name, probabilities)
        assert np.argsort(-scores).tolist() == [1, 2, 0], name
    assert np.allclose(uncertainty("least_confidence", probabilities), -probabilities.max(1))
    assert np.allclose(uncertainty("margin", probabilities), -np.array([0.97, 0.05, 0.3]))
    assert uncertainty("random", probabilities) is None
