"""The light head: multinomial logistic regression on cached embeddings, refit in well under a second.

Features are standardised with statistics of all cached documents (the pool included:
unlabeled data is free), and the scaling is folded into the weights, so scoring the
pool is one matrix product `E @ W.T + b` on the raw embeddings.
"""
import numpy as np
from sklearn.linear_model import LogisticRegression

ABSENT_CLASS_BIAS = -30.0  # a class with no label yet gets (practically) zero probability


def feature_scaling(embeddings):
    mean = embeddings.mean(axis=0)
    std = embeddings.std(axis=0)
    return mean.astype(np.float64), np.where(std > 1e-6, std, 1.0).astype(np.float64)


def fit_head(features, targets, num_labels, *, scaling=None, C=0.1, max_iter=100, tol=1e-3, seed=0):
    """Returns (W, b) with W of shape (num_labels, dim), for logits = features @ W.T + b."""
    features = np.asarray(features, dtype=np.float64)
    targets = np.asarray(targets)
    mean, std = scaling if scaling is not None else feature_scaling(features)
    scaled = (features - mean) / std
    present = np.unique(targets)
    weight = np.zeros((num_labels, features.shape[1]))
    bias = np.full(num_labels, ABSENT_CLASS_BIAS)
    if len(present) < 2:
        bias[present] = 0.0
        return weight.astype(np.float32), bias.astype(np.float32)
    model = LogisticRegression(C=C, class_weight="balanced", max_iter=max_iter, tol=tol, random_state=seed)
    model.fit(scaled, targets)
    coef, intercept = model.coef_, model.intercept_
    if len(present) == 2:  # sklearn's binary form: one row for the second class against the first
        coef = np.vstack([np.zeros_like(coef), coef])
        intercept = np.array([0.0, intercept[0]])
    for row, label in enumerate(model.classes_):
        weight[label] = coef[row] / std
        bias[label] = intercept[row] - float(np.dot(coef[row], mean / std))
    return weight.astype(np.float32), bias.astype(np.float32)
