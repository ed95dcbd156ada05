"""What the stats API and the lead dashboard say about the models: the learning curve and one row per version."""
from labeling.models import DocumentState

from ..models import ModelVersion
from .due import (
    active_training_job,
    head_every,
    labels_since_last_model,
    labels_since_last_version,
)
from .versions import latest_model


def loop_stats(project) -> dict:
    """The loop's part of a project's stats: what is due, the running job, the curve, the stopping signal."""
    latest = latest_model(project)
    return {
        "training": active_training_job(project),
        "labels_since_last_model": labels_since_last_model(project),
        "labels_since_last_version": labels_since_last_version(project),
        "head_every": head_every(project),
        "learning_curve": learning_curve(project),
        # When more labels stop paying: KappaAverage over the full versions' predictions.
        "stopping": ((latest.metrics or {}) if latest else {}).get("stopping"),
        "evaluation_sample": {
            "share": project.evaluation_share,
            "labeled": project.documents.filter(evaluation=True, state=DocumentState.LABELED).count(),
        },
    }


def version_summary(version) -> dict:
    """A version's point on the learning curve: the labels it learned from and its scores (None where it has none)."""
    metrics = version.metrics or {}
    return {
        "version": version.number,
        "kind": version.kind,
        "labels": metrics.get("labels_total") or version.labels_used,
        "train_labels": version.train_size,
        "macro_f1": metrics.get("macro_f1"),
        "accuracy": metrics.get("accuracy"),
        "evaluation": (metrics.get("evaluation") or {}).get("source"),
        "n": metrics.get("n"),
    }


def learning_curve(project) -> list[dict]:
    """One point per version, oldest first."""
    return [version_summary(version) for version in ModelVersion.objects.filter(project=project).order_by("number")]


def model_rows(project) -> list[dict]:
    """Newest first: each version's summary, validation size, per-class scores and date."""
    return [
        {**version_summary(version), "validation_size": version.validation_size,
         "per_class": (version.metrics or {}).get("per_class") or {}, "created_at": version.created_at}
        for version in ModelVersion.objects.filter(project=project).order_by("-number")
    ]
