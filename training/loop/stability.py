"""When more labels stop paying: how much each version's predictions differ from the last ones.

Every version stores its predictions on a fixed stopping set (the documents with the
smallest random keys, independent of any model); KappaAverage over the last full versions
is the stopping signal.
"""
from pathlib import Path

import numpy as np

from labeling.models import Document

from ..ml.stopping import stopping_signal
from ..models import ModelKind, ModelVersion

STOP_SET_SIZE = 2000
STOP_PREDICTIONS_FILE = "stop_predictions.npz"


def stop_set_rows(project, ids):
    """Rows of `ids` in the fixed stopping set."""
    keys = dict(Document.objects.filter(project=project, pk__in=[int(i) for i in ids]).values_list("id", "random_key"))
    order = sorted(range(len(ids)), key=lambda row: keys.get(int(ids[row]), 1.0))
    return np.array(sorted(order[:STOP_SET_SIZE]), dtype=int)


def _aligned_predictions(versions, stop_ids, predictions):
    """The stored stop-set predictions of `versions` and the new ones, on the documents all of them have."""
    arrays = []
    for earlier in versions:
        path = Path(earlier.artifact_dir) / STOP_PREDICTIONS_FILE
        if path.exists():
            data = np.load(path)
            arrays.append(dict(zip(data["ids"].tolist(), data["predictions"].tolist())))
    arrays.append(dict(zip(stop_ids.tolist(), predictions.tolist())))
    common = sorted(set.intersection(*(set(a) for a in arrays)))
    return [np.array([a[i] for i in common]) for a in arrays]


def save_stop_predictions(directory, project, ids, probabilities):
    """Store a version's predictions on the stopping set in its directory (`ids` name the rows of `probabilities`)."""
    rows = stop_set_rows(project, ids)
    np.savez(Path(directory) / STOP_PREDICTIONS_FILE, ids=ids[rows], predictions=probabilities[rows].argmax(1))


def stability(version) -> dict:
    """Compare the version's stored stop-set predictions (save_stop_predictions) with earlier versions'."""
    with np.load(Path(version.artifact_dir) / STOP_PREDICTIONS_FILE) as stored:
        stop_ids, predictions = stored["ids"], stored["predictions"]
    num_classes = len(version.label_names)
    earlier = ModelVersion.objects.filter(project=version.project, number__lt=version.number).order_by("number")
    previous = list(earlier)[-1:]
    result = {}
    if previous:
        pair = _aligned_predictions(previous, stop_ids, predictions)
        result["kappa_vs_previous"] = stopping_signal(pair, num_classes, window=1)["kappa_last"]
    if version.kind == ModelKind.FULL:
        fulls = list(earlier.filter(kind=ModelKind.FULL))[-3:]
        result["stopping"] = stopping_signal(_aligned_predictions(fulls, stop_ids, predictions), num_classes)
    else:
        last_full = earlier.filter(kind=ModelKind.FULL).last()
        if last_full and "stopping" in (last_full.metrics or {}):
            result["stopping"] = last_full.metrics["stopping"]
    return result
