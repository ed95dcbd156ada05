"""Head refit: a logistic-regression head on the cached embeddings re-scores the whole pool in seconds.

It runs every `head_every` labels on its own queue and never waits for a running
fine-tune. Before the first fine-tune it uses the base encoder's embeddings that the cold
start cached; after one, the newest fine-tuned encoder's.
"""
import time
import uuid
from dataclasses import dataclass

import numpy as np
from django.conf import settings

from labeling.models import Project

from ..ml.encode import softmax
from ..ml.head import fit_head
from ..models import ModelKind, ModelVersion
from .dataset import (
    MIN_EVALUATION,
    NotTrainable,
    evaluation_data,
    last_annotation_id,
    training_data,
    validation_split,
)
from .due import after_labels, release_request
from .embedding_cache import (
    NO_EMBEDDINGS,
    cache_dir,
    embedding_source,
    has_cache,
    load_cache,
)
from .next_steps import NextSteps
from .queue_order import order_by_uncertainty
from .report import learning_curve
from .stability import save_stop_predictions, stability
from .versions import (
    HEAD_FILE,
    create_version,
    evaluation_metrics,
    latest_full_model,
    latest_model,
    write_version_files,
)


@dataclass
class HeadInputs:
    """The cached embeddings a refit reads and the labelled rows in them, up to `last_annotation_id`."""
    encoder_version: ModelVersion | None  # None: the base encoder
    last_annotation_id: int
    label_names: list
    ids: np.ndarray  # every cached document
    embeddings: np.ndarray
    scaling: object
    train_rows: np.ndarray
    train_targets: np.ndarray
    eval_rows: list
    eval_targets: list
    labels_total: int
    number: int  # the number this version expects; it seeds the queue's diversity clustering


def refit_head(project_id) -> tuple[ModelVersion | None, NextSteps]:
    """A new HEAD version when labels arrived since the newest version, with the queue re-ordered by it."""
    marks = [time.perf_counter()]
    release_request(project_id, "head")
    project = Project.objects.filter(pk=project_id).first()
    inputs = _inputs(project) if project is not None else None
    if inputs is None:
        return None, NextSteps()
    marks.append(time.perf_counter())
    weight, bias = fit_head(inputs.embeddings[inputs.train_rows], inputs.train_targets, len(inputs.label_names),
                            scaling=inputs.scaling)
    marks.append(time.perf_counter())
    metrics, validation_size = _metrics(inputs, weight, bias)
    probabilities = softmax(inputs.embeddings @ weight.T + bias)
    marks.append(time.perf_counter())
    if _superseded(project, inputs):
        return None, NextSteps()
    # The queue first, the version after: once a version is visible, the queue already follows it.
    ordered = order_by_uncertainty(project, inputs.label_names, inputs.number, inputs.ids,
                                   probabilities, inputs.embeddings)
    marks.append(time.perf_counter())
    version = _save(project, inputs, weight, bias, metrics, validation_size, probabilities)
    version.training_info = {
        "encoder": f"v{inputs.encoder_version.number}" if inputs.encoder_version else "base",
        "head": "logistic_regression", "examples": len(inputs.train_rows), "pool": ordered, "documents": len(inputs.ids),
        **_timings(marks),
    }
    version.save(update_fields=["metrics", "training_info"])
    return version, after_labels(project)  # labels that arrived during the refit


def _inputs(project) -> HeadInputs | None:
    """What the refit reads, or None when there is nothing to refit on or nothing new to learn."""
    encoder_version = embedding_source(project)
    if encoder_version is NO_EMBEDDINGS:
        return None
    up_to = last_annotation_id(project)
    latest = latest_model(project)
    if latest and latest.last_annotation_id >= up_to:
        return None  # nothing new since the newest version
    try:
        _, targets, label_names, doc_ids = training_data(project, up_to, with_ids=True)
    except NotTrainable:
        return None
    eval_ids, _, eval_targets = evaluation_data(project, up_to, label_names)
    ids, embeddings, scaling = load_cache(cache_dir(project, encoder_version))
    row_of = {doc_id: row for row, doc_id in enumerate(ids.tolist())}
    train = [(row_of[d], t) for d, t in zip(doc_ids, targets) if d in row_of]
    evaluation = [(row_of[d], t) for d, t in zip(eval_ids, eval_targets) if d in row_of]
    if len({t for _, t in train}) < 2:
        return None
    return HeadInputs(encoder_version, up_to, label_names, ids, embeddings, scaling,
                      np.array([r for r, _ in train]), np.array([t for _, t in train]),
                      [r for r, _ in evaluation], [t for _, t in evaluation], len(doc_ids) + len(eval_ids),
                      latest.number + 1 if latest else 1)


def _metrics(inputs, weight, bias) -> tuple[dict, int]:
    """(metrics, validation size): on the evaluation sample, else on a head refit without a held-out share."""
    if len(inputs.eval_rows) >= MIN_EVALUATION:
        probabilities = softmax(inputs.embeddings[np.array(inputs.eval_rows)] @ weight.T + bias)
        return evaluation_metrics(probabilities, inputs.eval_targets, inputs.label_names, "random_sample",
                                  inputs.labels_total), 0
    y = inputs.train_targets
    train_idx, val_idx = validation_split(y.tolist())
    if not val_idx or len(set(y[train_idx].tolist())) < 2:
        return {}, len(val_idx)
    rows = inputs.train_rows
    w, b = fit_head(inputs.embeddings[rows[train_idx]], y[train_idx], len(inputs.label_names), scaling=inputs.scaling)
    probabilities = softmax(inputs.embeddings[rows[val_idx]] @ w.T + b)
    return evaluation_metrics(probabilities, y[val_idx].tolist(), inputs.label_names, "validation_split",
                              inputs.labels_total), len(val_idx)


def _superseded(project, inputs) -> bool:
    """A fine-tune finished meanwhile (its scores are newer), or a concurrent refit already covered these labels."""
    encoder_version = inputs.encoder_version
    newest_full = latest_full_model(project)
    if newest_full is not None and (encoder_version is None or newest_full.number > encoder_version.number) \
            and has_cache(newest_full.artifact_dir):
        return True
    newest = latest_model(project)
    return bool(newest and newest.last_annotation_id >= inputs.last_annotation_id)


def _save(project, inputs, weight, bias, metrics, validation_size, probabilities) -> ModelVersion:
    def write(directory):
        np.savez(directory / HEAD_FILE, weight=weight, bias=bias)
        save_stop_predictions(directory, project, inputs.ids, probabilities)

    # Named at random: the version's number is taken when its row is created, after the files.
    artifact_dir = write_version_files(project, f"head-{uuid.uuid4().hex}", write)
    version = create_version(
        project, kind=ModelKind.HEAD, encoder_version=inputs.encoder_version, base_model=settings.LOOPLABEL_BASE_MODEL,
        artifact_dir=str(artifact_dir), label_names=inputs.label_names, labels_used=inputs.labels_total,
        last_annotation_id=inputs.last_annotation_id, train_size=len(inputs.train_rows),
        validation_size=validation_size, metrics=metrics, training_info={},
    )
    version.metrics = {**metrics, **stability(version)}
    if metrics:
        version.metrics["learning_curve"] = learning_curve(project)
    return version


def _timings(marks) -> dict:
    names = ("load_seconds", "fit_seconds", "score_seconds", "write_seconds")
    timings = {name: round(end - start, 3) for name, start, end in zip(names, marks, marks[1:])}
    return {**timings, "total_seconds": round(time.perf_counter() - marks[0], 3)}
