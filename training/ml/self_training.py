"""Self-training: the current model's most confident pool predictions join a fine-tune as labels.

Actively chosen labels are the documents the model was least sure of; the pool's easy,
confidently predicted documents are what such a label set lacks (Wang et al. 2017, "CEAL").
Each class gets as many pseudo-labels as it has real labels, so the class balance of the
real labels is kept and no class is drowned by the teacher's majority class.
"""
import numpy as np


def confident_pseudo_labels(probabilities, labeled_targets, num_labels):
    """(rows of `probabilities`, their predicted classes): per class, the rows predicted as that
    class with the highest probability, as many as that class has labels."""
    probabilities = np.asarray(probabilities)
    predicted, confidence = probabilities.argmax(1), probabilities.max(1)
    counts = np.bincount(np.asarray(labeled_targets, dtype=int), minlength=num_labels)
    rows, targets = [], []
    for label in range(num_labels):
        candidates = np.flatnonzero(predicted == label)
        chosen = candidates[np.argsort(-confidence[candidates], kind="stable")][:counts[label]]
        rows += chosen.tolist()
        targets += [label] * len(chosen)
    return rows, targets
