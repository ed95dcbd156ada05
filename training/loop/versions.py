"""Model versions: numbering, their directories, and the metrics each one stores.

Two kinds (training.models.ModelKind): a FULL version is a fine-tuned transformer; a HEAD
version is a logistic-regression head (HEAD_FILE in its directory) on the cached
embeddings of a FULL version's encoder, or of the base encoder before the first fine-tune.
"""
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from ..ml.metrics import classification_metrics
from ..models import ModelKind, ModelVersion

HEAD_FILE = "head.npz"


def latest_model(project) -> ModelVersion | None:
    """The newest version of any kind: the one that predicts."""
    return ModelVersion.objects.filter(project=project).order_by("-number").first()


def latest_full_model(project) -> ModelVersion | None:
    return ModelVersion.objects.filter(project=project, kind=ModelKind.FULL).order_by("-number").first()


def project_models_dir(project) -> Path:
    return Path(settings.LOOPLABEL_MODELS_DIR) / f"project-{project.id}"


def version_encoder(version) -> ModelVersion | None:
    """The FULL version whose encoder a version reads embeddings from; None for the base encoder."""
    return version.encoder_version if version.kind == ModelKind.HEAD else version


def next_version_number(project) -> int:
    latest = latest_model(project)
    return latest.number + 1 if latest else 1


def create_version(project, **fields) -> ModelVersion:
    """Create the next-numbered version; a head refit and a fine-tune finishing together retry on the number."""
    for _ in range(5):
        number = next_version_number(project)
        values = dict(fields)
        if "artifact_dir" not in values:  # a fine-tune brings its own, named after its job
            directory = project_models_dir(project) / f"v{number}"
            directory.mkdir(parents=True, exist_ok=True)
            values["artifact_dir"] = str(directory)
        try:
            with transaction.atomic():
                return ModelVersion.objects.create(project=project, number=number, **values)
        except IntegrityError:
            continue
    raise RuntimeError("Could not number the new model version.")


def evaluation_metrics(probabilities, targets, label_names, source, labels_total) -> dict:
    """Classification metrics of predicted `probabilities`, saying what they were measured on."""
    metrics = classification_metrics(list(targets), probabilities.argmax(1).tolist(), label_names)
    metrics["evaluation"] = {
        "source": source,
        "n": len(targets),
        "note": ("uniform random evaluation sample, never used for training" if source == "random_sample" else
                 "held-out share of the training labels; biased, the model chose many of them"),
    }
    metrics["labels_total"] = labels_total
    return metrics
