"""Model versions: numbering, their directories, and the metrics each one stores.

Two kinds (training.models.ModelKind): a FULL version is a fine-tuned transformer; a HEAD
version is a logistic-regression head (HEAD_FILE in its directory) on the cached
embeddings of a FULL version's encoder, or of the base encoder before the first fine-tune.

A version's files are written first, into a directory of their own (write_version_files), and
its row is created after (create_version): a disk that fills up or a worker that dies while they
are written leaves no version that names missing or partial files.
"""
import shutil
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


def write_version_files(project, name, write) -> Path:
    """The directory `name` of the project's models, holding what `write(directory)` wrote, complete.

    `write` fills a hidden directory beside it, renamed to `name` only when it returned: a write
    that fails (a full disk) removes its partial files and raises, so no version is created. A
    worker killed meanwhile leaves them under the hidden name, which no version names. `name` is
    unique to the run (its job, or a random one), so two runs never write into one directory.
    """
    final = project_models_dir(project) / name
    partial = final.with_name(f".{name}.partial")
    partial.mkdir(parents=True)
    try:
        write(partial)
        partial.rename(final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


def create_version(project, **fields) -> ModelVersion:
    """Create the next-numbered version, whose `artifact_dir` is written already (write_version_files).

    A head refit and a fine-tune finishing together retry on the number.
    """
    for _ in range(5):
        try:
            with transaction.atomic():
                return ModelVersion.objects.create(project=project, number=next_version_number(project), **fields)
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
