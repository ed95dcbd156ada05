"""Cold start: before any label, embed the pool with the base encoder and order it for coverage."""
from django.utils import timezone

from labeling.models import Project

from ..models import ModelVersion, ProjectLoop
from .dataset import project_documents
from .due import after_labels, head_every, release_request
from .embedding_cache import base_cache_dir, save_cache
from .encoders import encoder_for
from .next_steps import NextSteps
from .queue_order import order_for_coverage


def cold_start(project_id) -> tuple[int, NextSteps]:
    """(documents ordered for coverage, what is due now that the head has embeddings to refit on)."""
    release_request(project_id, "cold_start")
    project = Project.objects.filter(pk=project_id).first()
    if project is None:
        return 0, NextSteps()
    ids, texts = project_documents(project)
    if not len(ids):
        return 0, NextSteps(project.id)
    embeddings = encoder_for(None).embed(texts)
    directory = base_cache_dir(project)
    save_cache(directory, ids, embeddings)
    ProjectLoop.objects.for_project(project)
    ProjectLoop.objects.filter(project=project).update(base_cache_dir=str(directory), cold_start_done_at=timezone.now())
    ordered = 0
    if project.query_strategy != "random" and not ModelVersion.objects.filter(project=project).exists():
        ordered = order_for_coverage(project, ids, embeddings, n_clusters=max(20, 2 * head_every(project)))
    return ordered, after_labels(project)
