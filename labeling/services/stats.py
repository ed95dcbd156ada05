"""Numbers about a project's labeling: progress, budget, annotators, labels."""
from datetime import timedelta
from statistics import median

from django.db.models import Count
from django.utils import timezone

from ..models import Annotation, Document, Skip
from .queue import annotator_labels_used, remaining_budget


def labeling_stats(project, *, only_annotator=None) -> dict:
    """The project's numbers; with `only_annotator`, the per-annotator table holds that user's row alone
    (what an annotator may see of the team)."""
    annotations = Annotation.objects.filter(document__project=project)
    per_annotator = {}
    for username, seconds in annotations.filter(imported=False).values_list("annotator__username", "seconds_spent"):
        entry = per_annotator.setdefault(username, {"username": username, "labels": 0, "seconds": [], "skips": 0})
        entry["labels"] += 1
        if seconds is not None:
            entry["seconds"].append(seconds)
    for username, skips in (
        Skip.objects.filter(document__project=project).values_list("annotator__username").annotate(n=Count("id"))
    ):
        per_annotator.setdefault(username, {"username": username, "labels": 0, "seconds": [], "skips": 0})["skips"] = skips
    for entry in per_annotator.values():
        seconds = entry.pop("seconds")
        entry["median_seconds"] = round(median(seconds), 2) if seconds else None
    label_counts = dict(annotations.values_list("label__name").annotate(n=Count("id")))
    since = timezone.now() - timedelta(hours=1)
    return {
        "labels_done": annotator_labels_used(project),
        "seed_labels": annotations.filter(imported=True).count(),
        "budget": project.label_budget,
        "remaining": remaining_budget(project),
        "labels_last_hour": annotations.filter(imported=False, created_at__gte=since).count(),
        "documents": dict(Document.objects.filter(project=project).values_list("state").annotate(n=Count("id"))),
        "per_annotator": sorted((entry for entry in per_annotator.values()
                                 if only_annotator is None or entry["username"] == only_annotator.username),
                                key=lambda e: e["username"] or ""),
        "per_label": [{"label": label.name, "count": label_counts.get(label.name, 0)} for label in project.labels.all()],
    }
