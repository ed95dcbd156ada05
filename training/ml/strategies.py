"""Query strategies from small-text, applied to probabilities the scorer already computed.

small-text strategies ask a classifier for `predict_proba(dataset)`. Scoring the pool
is the expensive part and we do it ourselves (length-bucketed, batched), so a thin
classifier hands the strategy those probabilities; the strategy's own `score()`
then decides what is uncertain. One strategy class per name, as in small-text.
"""
import numpy as np
from small_text.query_strategies import BreakingTies, LeastConfidence, PredictionEntropy, RandomSampling

STRATEGIES = {
    "least_confidence": LeastConfidence,
    "margin": BreakingTies,
    "entropy": PredictionEntropy,
    "random": RandomSampling,
}


class PrecomputedProbabilities:
    """The small part of small-text's classifier interface that confidence strategies use."""

    def __init__(self, probabilities):
        self.probabilities = np.asarray(probabilities)

    def predict_proba(self, dataset):
        return self.probabilities[np.asarray(dataset)]


def uncertainty(strategy_name: str, probabilities) -> np.ndarray | None:
    """Priority per row, higher = ask sooner; None for random sampling (queue keeps its random order)."""
    strategy = STRATEGIES[strategy_name]()
    if isinstance(strategy, RandomSampling):
        return None
    n = len(probabilities)
    indices = np.arange(n)
    # score() returns "lower is queried first" values; negate so that higher means more uncertain.
    scores = strategy.score(PrecomputedProbabilities(probabilities), indices, indices, np.array([], dtype=int), np.array([], dtype=int))
    return -np.asarray(scores, dtype=np.float64)
